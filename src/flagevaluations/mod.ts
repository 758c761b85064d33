/**
 * The EVP `flagevaluation` track: per-subject evaluation counts, as
 * Datadog's newest tracers send them.
 *
 * This module only re-exports.
 *
 * @module
 */
export {
  type FlagEvaluationFlushReport,
  type FlagEvaluationRecordResult,
  FlagEvaluationWriter,
  type FlagEvaluationWriterOptions,
} from "./writer.ts";
export { ALLOWED_ERROR_CODES } from "./privacy.ts";
