/**
 * A fetch whose answer has the given status and whose body breaks off after
 * its first bytes (a connection reset mid-answer): the case where the
 * receiver processed the request but the client cannot read the answer.
 * Shared by the sender's and every signal's tests of "accepted" outcomes.
 */

/** The fake fetch and how many times it was called. */
export interface CutOffFetch {
  readonly fetch: typeof fetch;
  readonly calls: () => number;
}

/** Answers `status` with a body that errors after `prefix`; on the calls listed in `whole` (1-based) the body ends normally. */
export function cutOffFetch(status: number, prefix = "{", whole: readonly number[] = []): CutOffFetch {
  let n = 0;
  const fetchImpl = (() => {
    n++;
    const call = n;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(prefix));
        if (whole.includes(call)) c.close();
        else c.error(new TypeError("other side closed"));
      },
    });
    return Promise.resolve(new Response(body, { status }));
  }) as unknown as typeof fetch;
  return { fetch: fetchImpl, calls: () => n };
}
