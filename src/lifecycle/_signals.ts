/**
 * Which signals a flagpost instance runs, from its configuration: the one
 * place where the facade's signal list is built. Each signal follows the
 * shared contract (`src/core/signal.ts`): built from `(config, options)`,
 * records synchronously, flushes without rejecting.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import type { SignalOptions } from "../core/signal.ts";
import { ExposureWriter } from "../exposures/writer.ts";
import { EvaluationMetrics } from "../metrics/evaluation-metrics.ts";
import type { FlagpostSignal } from "./flush-report.ts";
import type { TraceQueue } from "./trace-queue.ts";

/** The signals of one instance; `traces` is also fed by request scopes. */
export interface WiredSignals {
  readonly signals: FlagpostSignal[];
  readonly traces: TraceQueue | undefined;
}

/** Builds the enabled signals, in flush-report order. */
export function wireSignals(config: Config, options: SignalOptions): WiredSignals {
  const signals: FlagpostSignal[] = [];
  // Exposures: always on (exposures have no gate).
  const exposures = new ExposureWriter(config, options);
  signals.push({ name: "exposures", record: (r) => void exposures.add(r), flush: (o) => exposures.flush(o) });
  // Evaluation metrics: `feature_flag.evaluations`, when DD_METRICS_OTEL_ENABLED (or metricsEnabled) is on.
  if (config.metricsEnabled) {
    const metrics = new EvaluationMetrics(config, options);
    signals.push({ name: "metrics", record: (r) => metrics.record(r), flush: (o) => metrics.flush(o) });
  }
  // Flag-evaluation rows (config.flagEvaluationsEnabled) — FlagEvaluationWriter, src/flagevaluations/ (issue 15).
  // Traces (config.tracesEnabled) — TraceQueue over TraceExporter, src/traces/.
  return { signals, traces: undefined };
}
