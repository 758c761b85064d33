/**
 * The runtime matrix contract. One scenario, made of parts, runs unchanged on
 * Node (against the built dist/), Deno, Bun and workerd (miniflare). A part
 * only uses `import type` from the library: the real modules come from
 * `ctx.modules`, so Node exercises dist/ and the others the TypeScript sources.
 */
import type * as Flagpost from "../../mod.ts";
import type * as Ufc from "../../src/ufc/mod.ts";
import type * as OpenFeature from "../../src/openfeature/mod.ts";
import type * as MockAgent from "../../mock-agent/mod.ts";

export type Runtime = "node" | "deno" | "bun" | "workerd";

export interface ScenarioModules {
  flagpost: typeof Flagpost;
  ufc: typeof Ufc;
  openfeature: typeof OpenFeature;
  mockAgent: typeof MockAgent;
}

/** Everything a part may need from files: the harness reads it (workerd cannot) and passes it in. */
export interface ScenarioInputs {
  /** Base URL of a loopback HTTP server the harness runs (see harness.ts for its routes). */
  loopbackUrl: string;
  /** tests/data/vectors/span-enrichment.json, parsed. */
  spanEnrichment: {
    serialIds: Array<{ ids: number[]; encoded: string }>;
    subjectHashes: Array<{ key: string; sha256: string }>;
  };
  /** tests/data/vectors/otlp-metrics.md's decode vector, as hex. */
  otlpVectorHex: string;
  fixtures: {
    /** tests/data/fixtures/ffe-system-test-data/ufc-config.json, parsed. */
    ufcConfig: unknown;
    /** Each evaluation-cases/*.json file, parsed. */
    cases: Array<{ file: string; cases: unknown[] }>;
  };
}

export interface ScenarioContext {
  runtime: Runtime;
  modules: ScenarioModules;
  inputs: ScenarioInputs;
}

/** A piece of the scenario. `run` observes; `expected` says what every runtime must observe. */
export interface ScenarioPart {
  name: string;
  run(ctx: ScenarioContext): Promise<Record<string, unknown>>;
  expected(inputs: ScenarioInputs, runtime: Runtime): Record<string, unknown>;
}
