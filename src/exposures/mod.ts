/**
 * Exposure events: validation, LRU deduplication, JSON encoding and
 * delivery to the agent's EVP proxy. This module only re-exports.
 *
 * @module
 */
export { ExposureCache } from "./cache.ts";
export { encodeExposurePayload } from "./encode.ts";
export type { ExposureContext, ExposureEvent } from "./event.ts";
export {
  type ExposureAddResult,
  type ExposureAddStatus,
  type ExposureFlushReport,
  type ExposureStats,
  ExposureWriter,
  type ExposureWriterOptions,
  MAX_EXPOSURE_EVENT_BYTES,
} from "./writer.ts";
