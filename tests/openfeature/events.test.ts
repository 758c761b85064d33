/** ProviderEventEmitter: handlers run in registration order, a failing handler never affects the others, registrations can be removed. */
import { describe, expect, test } from "bun:test";
import { ProviderEventEmitter } from "../../src/openfeature/events.ts";

describe("ProviderEventEmitter", () => {
  test("emit calls every handler of that event type, in order, with the details (or {})", () => {
    const events = new ProviderEventEmitter();
    const seen: unknown[] = [];
    events.addHandler("PROVIDER_READY", (d) => seen.push(["a", d]));
    events.addHandler("PROVIDER_READY", (d) => seen.push(["b", d]));
    events.addHandler("PROVIDER_ERROR", (d) => seen.push(["error", d]));
    events.emit("PROVIDER_READY", { message: "up" });
    events.emit("PROVIDER_READY");
    expect(seen).toEqual([["a", { message: "up" }], ["b", { message: "up" }], ["a", {}], ["b", {}]]);
    events.emit("PROVIDER_STALE"); // no handlers: nothing happens
    expect(seen).toHaveLength(4);
  });
  test("a handler that throws or rejects does not stop the next one and does not throw from emit", async () => {
    const events = new ProviderEventEmitter();
    const seen: string[] = [];
    events.addHandler("PROVIDER_ERROR", () => {
      throw new Error("handler bug");
    });
    events.addHandler("PROVIDER_ERROR", () => Promise.reject(new Error("async handler bug")));
    events.addHandler("PROVIDER_ERROR", () => seen.push("reached"));
    expect(() => events.emit("PROVIDER_ERROR", { message: "x" })).not.toThrow();
    await Promise.resolve(); // a rejection left unhandled would fail the test run here
    expect(seen).toEqual(["reached"]);
  });
  test("removeHandler removes one registration; removeAllHandlers one type or all", () => {
    const events = new ProviderEventEmitter();
    const h = () => {};
    const other = () => {};
    events.addHandler("PROVIDER_READY", h);
    events.addHandler("PROVIDER_READY", h);
    events.addHandler("PROVIDER_READY", other);
    events.removeHandler("PROVIDER_READY", h);
    expect(events.getHandlers("PROVIDER_READY")).toEqual([h, other]);
    events.removeHandler("PROVIDER_STALE", h); // unknown type: no-op
    events.addHandler("PROVIDER_STALE", other);
    events.removeAllHandlers("PROVIDER_READY");
    expect(events.getHandlers("PROVIDER_READY")).toEqual([]);
    expect(events.getHandlers("PROVIDER_STALE")).toEqual([other]);
    events.removeAllHandlers();
    expect(events.getHandlers("PROVIDER_STALE")).toEqual([]);
  });
  test("getHandlers returns a copy; setLogger is accepted and chains", () => {
    const events = new ProviderEventEmitter();
    const h = () => {};
    events.addHandler("PROVIDER_READY", h);
    events.getHandlers("PROVIDER_READY").push(() => {});
    expect(events.getHandlers("PROVIDER_READY")).toEqual([h]);
    expect(events.setLogger(console)).toBe(events);
  });
});
