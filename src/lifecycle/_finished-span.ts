/**
 * A finished span as plain data: what a request scope hands to the trace
 * queue when it ends. Kept apart from `SpanBuilder` so that ending a scope
 * is cheap and cannot throw; spans are validated and encoded at flush time,
 * where a bad one is counted instead of breaking the request.
 *
 * @module
 */

/** One finished span of a request, ids as unsigned 64-bit `bigint`s and times in nanoseconds. */
export interface FinishedSpan {
  readonly service: string;
  readonly name: string;
  readonly resource: string;
  readonly type: string;
  readonly traceId: bigint;
  readonly spanId: bigint;
  /** 0 for the request's root span. */
  readonly parentId: bigint;
  /** Nanoseconds since the epoch. */
  readonly start: bigint;
  /** Nanoseconds. */
  readonly duration: bigint;
  /** 1 when the span ended with an error. */
  readonly error: 0 | 1;
  readonly meta: Record<string, string>;
  readonly metrics: Record<string, number>;
}
