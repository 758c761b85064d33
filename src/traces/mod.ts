/**
 * Traces: spans built field by field (`SpanBuilder`), grouped into trace
 * chunks with single ownership (`TraceChunks`), encoded as the agent's
 * v0.4 or v0.5 msgpack (`encodeTraces`) and sent to it (`TraceExporter`).
 *
 * @module
 */
export { generateId } from "./ids.ts";
export { SpanBuilder, type SpanFields, type SpanId, TRACE_ID_HIGH_META } from "./span-builder.ts";
export { TraceChunks, type TraceChunksOptions } from "./trace-chunks.ts";
export { encodeTraces, type TraceVersion } from "./encode.ts";
export { TRACE_EXPORTER_COUNTERS, TraceExporter, type TraceExporterOptions, type TraceSendResult } from "./exporter.ts";
export type { RuntimeInfo } from "./runtime-info.ts";
