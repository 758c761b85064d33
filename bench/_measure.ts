/**
 * One way to time contestants side by side, shared by the benchmarks: warm
 * each up, then run them in interleaved rounds (the order alternates every
 * round, so neither always runs on a warmer or cooler machine) and keep the
 * median nanoseconds per operation. Ratios are printed from one run.
 *
 * The clock is the wall clock by default, or {@link cpuClock} (this
 * process's CPU time: on a busy machine other processes stretch wall time
 * by several times, not CPU time). A contestant whose run needs per-pass
 * setup that must not count times itself with the clock it is given.
 */

/** Milliseconds, monotonic: `performance.now` or {@link cpuClock}. */
export type Clock = () => number;

/**
 * A contestant: `run(clock)` performs `ops` operations. Without `selfTimed`
 * the whole call is timed; with it, `run` times only its measured part with
 * `clock` and resolves to that duration in milliseconds.
 */
export interface Contestant {
  readonly name: string;
  readonly ops: number;
  readonly selfTimed?: boolean;
  run(clock: Clock): unknown;
}

/** This process's CPU time in milliseconds (all its threads: GC and Web Crypto's workers count). */
export const cpuClock: Clock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Median nanoseconds per operation of each contestant, by name. */
export async function measure(
  contestants: readonly Contestant[],
  rounds = 15,
  warmup = 3,
  clock: Clock = () => performance.now(),
): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(
    contestants.map((c) => [c.name, []]),
  );
  for (const c of contestants) {
    for (let i = 0; i < warmup; i++) await c.run(clock);
  }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? contestants : [...contestants].reverse();
    for (const c of order) {
      const t0 = clock();
      const result = await c.run(clock);
      const ms = c.selfTimed === true ? Number(result) : clock() - t0;
      samples.get(c.name)!.push((ms * 1e6) / c.ops);
    }
  }
  const medians = new Map<string, number>();
  for (const [name, list] of samples) {
    medians.set(
      name,
      list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!,
    );
  }
  return medians;
}

/** `1.23 µs` / `456.7 ns`. */
export function formatNs(ns: number): string {
  return ns >= 1_000_000 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(1)} ns`;
}

/** Prints an aligned table. */
export function printTable(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((
      c,
      i,
    ) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

/** The number after `--<name>` on the command line (`--rounds 10`), else `fallback`: the benchmarks' one flag syntax. */
export function numberOption(name: string, fallback: number): number {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
}
