/**
 * The request lifecycle every adapter shares: one scope per request named and tagged from the request (no query,
 * no credentials), the handler run inside it, the scope ended with the status or the error; background flushes.
 */
import { describe, expect, test } from "bun:test";
import { defaultResource, flushInBackground, runRequest } from "../../src/adapters/_request-lifecycle.ts";
import type { RequestScope } from "../../src/lifecycle/request-scope.ts";
import { fakeFlagpost } from "./_fake-flagpost.ts";

describe("defaultResource", () => {
  test("method and path, without the query", () => {
    expect(defaultResource(new Request("https://shop.test/cart/items?token=secret", { method: "POST" }))).toBe("POST /cart/items");
    expect(defaultResource(new Request("https://shop.test"))).toBe("GET /");
  });
});

describe("runRequest", () => {
  test("starts a scope named http.request, tags method and the URL without query or credentials, runs the handler in it", async () => {
    const fake = fakeFlagpost();
    let seen: RequestScope | undefined;
    const response = await runRequest(fake.flagpost, new Request("https://user:pw@shop.test/a?q=1"), {}, (scope) => {
      seen = scope;
      expect(fake.current()).toBe(fake.scopes[0]!);
      return new Response("ok", { status: 201 });
    });
    expect(response.status).toBe(201);
    expect(seen).toBeDefined();
    const scope = fake.scopes[0]!;
    expect(scope.start).toEqual({ name: "http.request", resource: "GET /a" });
    expect(scope.tags).toEqual({ "http.method": "GET", "http.url": "https://shop.test/a" });
    expect(scope.ends).toEqual([{ status: 201 }]);
  });
  test("options name the span and resource; a resource callback that throws or returns nothing falls back to the default", async () => {
    const fake = fakeFlagpost();
    const request = new Request("https://shop.test/x");
    const ok = () => new Response(null, { status: 204 });
    await runRequest(fake.flagpost, request, { name: "web", resource: () => "custom" }, ok);
    await runRequest(fake.flagpost, request, {
      resource: () => {
        throw new Error("bug");
      },
    }, ok);
    await runRequest(fake.flagpost, request, { resource: () => "" }, ok);
    expect(fake.scopes.map((s) => s.start)).toEqual([
      { name: "web", resource: "custom" },
      { name: "http.request", resource: "GET /x" },
      { name: "http.request", resource: "GET /x" },
    ]);
  });
  test("a throwing handler ends the scope as a 500 with the error, and the error reaches the caller", async () => {
    const fake = fakeFlagpost();
    const boom = new Error("boom");
    await expect(runRequest(fake.flagpost, new Request("https://shop.test/"), {}, () => Promise.reject(boom))).rejects.toBe(boom);
    expect(fake.scopes[0]!.ends).toEqual([{ status: 500, error: boom }]);
  });
  test("an error the framework handled (errorOf) is recorded with the response's status; a throwing errorOf is ignored", async () => {
    const fake = fakeFlagpost();
    const handled = new Error("handled by the framework");
    const res = () => new Response(null, { status: 502 });
    await runRequest(fake.flagpost, new Request("https://shop.test/"), {}, res, () => handled);
    await runRequest(fake.flagpost, new Request("https://shop.test/"), {}, res, () => {
      throw new Error("bug");
    });
    expect(fake.scopes.map((s) => s.ends)).toEqual([[{ status: 502, error: handled }], [{ status: 502 }]]);
  });
});

describe("flushInBackground", () => {
  test("flushes with the deadline when one is given, with the configuration's otherwise, and returns the report", async () => {
    const fake = fakeFlagpost();
    expect(await flushInBackground(fake.flagpost, 250)).toBe(fake.report);
    expect(await flushInBackground(fake.flagpost, undefined)).toBe(fake.report);
    expect(fake.flushes).toEqual([{ deadlineMs: 250 }, {}]);
  });
});
