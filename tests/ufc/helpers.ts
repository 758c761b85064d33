/** Small builders for hand-written UFC configurations in tests. */
import type { UfcAllocation, UfcCondition, UfcFlag } from "../../src/ufc/model.ts";

export function stringFlag(key: string, allocations: UfcAllocation[], extra: Partial<UfcFlag> = {}): UfcFlag {
  return {
    key,
    enabled: true,
    variationType: "STRING",
    variations: { on: { key: "on", value: "on" }, off: { key: "off", value: "off" } },
    allocations,
    ...extra,
  };
}

export function ruleAllocation(conditions: UfcCondition[], variationKey = "on"): UfcAllocation {
  return { key: "rule", rules: [{ conditions }], splits: [{ variationKey, shards: [] }], doLog: true };
}

export function configOf(
  flags: Record<string, unknown>,
): { createdAt: string; environment: { name: string }; flags: Record<string, unknown> } {
  return { createdAt: "2026-01-01T00:00:00Z", environment: { name: "test" }, flags };
}
