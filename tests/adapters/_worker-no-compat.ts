/**
 * A worker for workerd *without* compatibility flags (no AsyncLocalStorage): the scope is passed
 * explicitly — to recordEvaluation, and to a per-request hook — and each request still gets its own
 * tags. Answers whether a scope store exists, so the test knows the implicit path was unavailable.
 */
import { withFlagpost } from "flagpost/cloudflare";

const worker = withFlagpost({
  async fetch(request, _env, _ctx, { flagpost, scope }) {
    const url = new URL(request.url);
    const base = Number(url.searchParams.get("base") ?? 0);
    const hook = flagpost.hook({ scope }); // this request's hook
    await new Promise((r) => setTimeout(r, base % 7));
    flagpost.recordEvaluation({
      flagKey: "direct",
      variant: "on",
      value: true,
      reason: "SPLIT",
      errorCode: undefined,
      allocationKey: "a",
      serialId: base + 1,
      doLog: true,
      targetingKey: `u${base}`,
      attributes: {},
      timestamp: Date.now(),
    }, scope);
    await new Promise((r) => setTimeout(r, 1));
    hook.finally({ flagKey: "hooked", context: { targetingKey: `u${base}` } } as never, {
      flagKey: "hooked",
      value: true,
      variant: "on",
      reason: "SPLIT",
      flagMetadata: { __dd_allocation_key: "a", __dd_do_log: true, __dd_split_serial_id: base + 2 },
    });
    scope.setTag("test.base", String(base));
    return new Response(String(flagpost.currentScope() === undefined));
  },
}, { spanEnrichmentEnabled: true });

export default worker;
