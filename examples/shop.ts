/**
 * The request every example serves: a small "shop" page that evaluates the
 * flags of examples/flags.json for the user named in the query string,
 * through OpenFeature, inside a child span. Shared by the Cloudflare worker,
 * the Hono app and the plain servers, so the same requests produce the same
 * telemetry on every runtime.
 *
 * GET /?user=<id>&country=<code>&plan=<plan>&email=<address>
 *
 * @module
 */
import type { Client } from "@openfeature/server-sdk";
import type { RequestScope } from "flagpost";

/** The flags the shop evaluates (one of each type, a disabled one, and one that does not exist). */
export const SHOP_FLAGS = ["new-checkout", "checkout-theme", "max-cart-items", "discount-rate", "banner", "legacy-search", "dark-mode"];

/**
 * Answers one shop request: the user's flag values as JSON.
 *
 * @example
 * ```ts
 * // (fragment) client = OpenFeature.getClient(), scope from the adapter
 * return await shop(request, client, scope);
 * ```
 */
export async function shop(request: Request, client: Client, scope: RequestScope): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname !== "/") return new Response("not found", { status: 404 });
  const user = url.searchParams.get("user") ?? "anonymous";
  const context = {
    targetingKey: user,
    country: url.searchParams.get("country") ?? "",
    plan: url.searchParams.get("plan") ?? "free",
    email: url.searchParams.get("email") ?? "",
  };
  const flags = await scope.span("shop.flags", async (span) => {
    const values = {
      newCheckout: await client.getBooleanValue("new-checkout", false, context),
      theme: await client.getStringValue("checkout-theme", "classic", context),
      maxCartItems: await client.getNumberValue("max-cart-items", 10, context),
      discountRate: await client.getNumberValue("discount-rate", 0, context),
      banner: await client.getObjectValue("banner", { text: "" }, context),
      legacySearch: await client.getBooleanValue("legacy-search", false, context),
      darkMode: await client.getBooleanValue("dark-mode", false, context),
    };
    span.setMetric("shop.flags", SHOP_FLAGS.length);
    return values;
  });
  scope.setTag("shop.user", user);
  scope.setTag("shop.user_plan", context.plan);
  return Response.json({ user, ...flags });
}
