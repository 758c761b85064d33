/**
 * Which signals a flagpost instance runs, from its configuration: the one
 * place where the facade's signal list is built. Each signal follows the
 * shared contract (`src/core/signal.ts`): built from `(config, options)`,
 * records synchronously, flushes without rejecting.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import type { Logger } from "../core/logger.ts";
import type { SignalOptions } from "../core/signal.ts";
import type { StatsRegistry } from "../core/stats.ts";
import { ExposureWriter } from "../exposures/writer.ts";
import { FlagEvaluationWriter } from "../flagevaluations/writer.ts";
import { EvaluationMetrics } from "../metrics/evaluation-metrics.ts";
import type { FlagpostSignal } from "./flush-report.ts";
import { TraceExporter } from "../traces/exporter.ts";
import { TraceQueue } from "./trace-queue.ts";

/** The signals of one instance; `traces` is also fed by request scopes. */
export interface WiredSignals {
  readonly signals: FlagpostSignal[];
  readonly traces: TraceQueue | undefined;
}

/** Builds the enabled signals, in flush-report order. */
export function wireSignals(config: Config, options: SignalOptions & { stats: StatsRegistry; logger: Logger }): WiredSignals {
  const signals: FlagpostSignal[] = [];
  // Exposures: always on (exposures have no gate).
  const exposures = new ExposureWriter(config, options);
  signals.push({
    name: "exposures",
    record: (r) => void exposures.add(r),
    flush: (o) => exposures.flush(o),
    pending: () => exposures.pending,
  });
  // Evaluation metrics: `feature_flag.evaluations`, when DD_METRICS_OTEL_ENABLED (or metricsEnabled) is on.
  if (config.metricsEnabled) {
    const metrics = new EvaluationMetrics(config, options);
    // Its report counts data points; `pending` here counts evaluations (points are only built at flush).
    signals.push({ name: "metrics", record: (r) => metrics.record(r), flush: (o) => metrics.flush(o), pending: () => metrics.pending });
  }
  // Flag-evaluation rows: per-subject counts (EVP `flagevaluation`), when DD_FLAGGING_EVALUATION_COUNTS_ENABLED (default on).
  if (config.flagEvaluationsEnabled) {
    const rows = new FlagEvaluationWriter(config, options);
    signals.push({ name: "flagevaluations", record: (r) => void rows.record(r), flush: (o) => rows.flush(o), pending: () => rows.pending });
  }
  // Traces: the request traces that carry the ffe_* tags, fed by scope.end(), when DD_TRACE_ENABLED (default on).
  let traces: TraceQueue | undefined;
  if (config.tracesEnabled) {
    const queue = new TraceQueue(config, {
      sender: new TraceExporter(config, options),
      stats: options.stats,
      logger: options.logger,
    });
    signals.push({ name: "traces", flush: (o) => queue.flush(o), pending: () => queue.size });
    traces = queue;
  }
  return { signals, traces };
}
