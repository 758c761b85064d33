/**
 * A seeded generator of `EvaluationRecord`s shared by every signal benchmark
 * (exposures, metrics, enrichment, flag-evaluation rows), so that each peer
 * comparison runs on the same, reproducible evaluations and no benchmark
 * invents its own data shape.
 *
 * The mix looks like real traffic: most evaluations are matches with a
 * variant, an allocation and a serial id; some are runtime defaults (no
 * variant) and errors; `doLog` is mostly true; a few subjects carry
 * non-ASCII attributes.
 */
import type { EvaluationRecord } from "../src/core/evaluation.ts";

/** mulberry32: a tiny, fast, seedable PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shape of the generated traffic. */
export interface RecordMix {
  /** Seed of the generator (default 42). */
  seed?: number;
  /** Distinct flags (default 20). */
  flags?: number;
  /** Distinct variants per flag (default 3). */
  variants?: number;
  /** Distinct subjects (default 100). */
  subjects?: number;
  /** Share of evaluations without a variant (runtime default), default 0.05. */
  defaultShare?: number;
  /** Share of errors, default 0.02. */
  errorShare?: number;
  /** Epoch milliseconds of the first evaluation (default 1_700_000_000_000); each next one is 1 ms later. */
  start?: number;
}

/** `n` evaluation records drawn from `mix`; the same arguments give the same records. */
export function generateRecords(
  n: number,
  mix: RecordMix = {},
): EvaluationRecord[] {
  const random = seededRandom(mix.seed ?? 42);
  const flags = mix.flags ?? 20;
  const variants = mix.variants ?? 3;
  const subjects = mix.subjects ?? 100;
  const defaultShare = mix.defaultShare ?? 0.05;
  const errorShare = mix.errorShare ?? 0.02;
  const start = mix.start ?? 1_700_000_000_000;
  const out: EvaluationRecord[] = [];
  for (let i = 0; i < n; i++) {
    const flag = Math.floor(random() * flags);
    const subject = Math.floor(random() * subjects);
    const roll = random();
    const targetingKey = `user-${subject}`;
    const attributes = subject % 10 === 0 ? { country: "FR", plan: "pro", name: "Zoë — 日本" } : {
      country: subject % 2 === 0 ? "US" : "DE",
      plan: "free",
      age: 20 + (subject % 50),
    };
    const base = {
      flagKey: `flag-${flag}`,
      targetingKey,
      attributes,
      timestamp: start + i,
    };
    if (roll < errorShare) {
      out.push({
        ...base,
        variant: undefined,
        value: false,
        reason: "ERROR",
        errorCode: "TYPE_MISMATCH",
        allocationKey: undefined,
        serialId: undefined,
        doLog: false,
      });
    } else if (roll < errorShare + defaultShare) {
      out.push({
        ...base,
        variant: undefined,
        value: "fallback",
        reason: "DEFAULT",
        errorCode: undefined,
        allocationKey: undefined,
        serialId: undefined,
        doLog: false,
      });
    } else {
      const variant = Math.floor(random() * variants);
      out.push({
        ...base,
        variant: `variant-${variant}`,
        value: `value-${variant}`,
        reason: random() < 0.5 ? "TARGETING_MATCH" : "SPLIT",
        errorCode: undefined,
        allocationKey: `allocation-${flag}-${variant % 2}`,
        serialId: 1000 + flag * 10 + variant,
        doLog: random() < 0.9,
      });
    }
  }
  return out;
}
