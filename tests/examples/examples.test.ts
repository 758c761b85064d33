/**
 * The examples are tests, and together the end-to-end runtime matrix: the same shop
 * (examples/shop.ts, FlagpostProvider on examples/flags.json) served by the Cloudflare worker in
 * workerd, the plain server on Node, Deno and Bun, and the Hono app on Node, Deno and Bun delivers
 * to the mock agent the same exposures, the same metric sums and root spans with the same ffe_*
 * tags. The servers stop on SIGTERM through their shutdown hooks (final flush before exit).
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { SHOP_FLAGS } from "../../examples/shop.ts";
import { type ExampleRun, runServerExample, runWorkerExample, type ServerRuntime, TRAFFIC } from "./_run-example.ts";

setDefaultTimeout(120_000);

let worker: Awaited<ReturnType<typeof runWorkerExample>>;

beforeAll(async () => {
  worker = await runWorkerExample();
});

describe("the Cloudflare worker example in workerd", () => {
  test("answers every request and delivers everything through waitUntil", () => {
    expect(worker.statuses).toEqual(TRAFFIC.map(() => 200));
    const o = worker.observation;
    expect(o.traces).toBe(TRAFFIC.length);
    expect(o.spans).toBe(TRAFFIC.length * 2); // root + the shop.flags child span
    expect(o.evaluations).toBe(TRAFFIC.length * SHOP_FLAGS.length);
    expect(o.problems).toBe(0);
    expect(o.exposures.length).toBeGreaterThan(0);
  });

  test("its flagpost stats() show nothing dropped and every evaluation recorded once", () => {
    const dropped = Object.entries(worker.stats).filter(([name]) => /dropped|errors|timed_out/.test(name));
    expect(dropped).toEqual([]);
    expect(worker.stats["evaluations.recorded"]).toEqual({ "": TRAFFIC.length * SHOP_FLAGS.length });
    expect(worker.stats["traces.sent"]).toEqual({ "": TRAFFIC.length });
  });

  test("root span tags mean what the flags say: an @example.com user is in new-checkout's internal allocation (serial id 1)", () => {
    const internal = TRAFFIC.map((p) => new URLSearchParams(p.slice(2))).find((q) => q.get("email")!.endsWith("@example.com"))!;
    expect(worker.observation.serialIds[internal.get("user")!]).toContain(1);
  });
});

function sameAsWorker(run: ExampleRun): void {
  expect(run.statuses).toEqual(TRAFFIC.map(() => 200));
  expect(run.bodies).toEqual(worker.bodies);
  expect(run.observation).toEqual(worker.observation);
}

for (const example of ["server", "hono"] as const) {
  describe(`the ${example} example`, () => {
    for (const runtime of ["node", "deno", "bun"] as ServerRuntime[]) {
      test(`on ${runtime}: same answers and the same telemetry as the worker; SIGTERM flushes before exit`, async () => {
        const run = await runServerExample(example, runtime);
        if (run.statuses.length === 0) throw new Error(`the example did not start:\n${run.output}`);
        sameAsWorker(run);
        expect(run.output).toContain("final flush ok");
        expect(run.exitCode).toBe(143);
      });
    }
  });
}
