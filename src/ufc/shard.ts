/**
 * Sharding: which bucket a subject falls in for a given salt. The bucket is
 * the first 4 bytes of md5(`salt-targetingKey`) (UTF-8) read as a big-endian
 * unsigned 32-bit integer, modulo `totalShards`. Ranges are half-open:
 * `start <= shard < end`.
 *
 * MD5 comes from `@noble/hashes` (audited, pure JavaScript): Web Crypto has
 * no MD5 outside workerd.
 *
 * @module
 */
import { md5 } from "@noble/hashes/legacy.js";
import type { CompiledShard } from "./model.ts";

let encoder: TextEncoder | undefined;

/**
 * The shard of `targetingKey` under `salt`, in `[0, totalShards)`.
 *
 * @example
 * ```ts
 * import { shardOf } from "./shard.ts"; // internal: not exported from "flagpost/ufc"
 * shardOf("split-new-user-onboarding-rollout", "alice", 10000); // a number in [0, 10000)
 * ```
 */
export function shardOf(salt: string, targetingKey: string, totalShards: number): number {
  encoder ??= new TextEncoder();
  const digest = md5(encoder.encode(`${salt}-${targetingKey}`));
  const value = ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
  return value % totalShards;
}

/**
 * Whether `targetingKey` falls in one of the shard's half-open ranges.
 *
 * @example
 * ```ts
 * import { matchesShard } from "./shard.ts"; // internal: not exported from "flagpost/ufc"
 * matchesShard({ salt: "s", totalShards: 100, ranges: [0, 50] }, "alice");
 * ```
 */
export function matchesShard(shard: CompiledShard, targetingKey: string): boolean {
  const value = shardOf(shard.salt, targetingKey, shard.totalShards);
  const ranges = shard.ranges;
  for (let i = 0; i < ranges.length; i += 2) {
    if (ranges[i]! <= value && value < ranges[i + 1]!) return true;
  }
  return false;
}
