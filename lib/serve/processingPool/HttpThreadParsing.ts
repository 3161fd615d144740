/** Where an infer call's body is parsed and its answer encoded. */
export type ParsingThread = 'http' | 'processing';

/**
 * The largest body, and the largest answer a model has given, that the HTTP thread parses and
 * encodes itself. A processing task costs the HTTP thread four messages (the body out, the feeds
 * back, the outputs out, the answer back); measured on 2 cores (docs/server.md), that is more
 * event-loop time than parsing JSON tensors up to ~40 KiB, and about as much at 60-80 KiB. Every
 * small request's round trip also held one of the few processing task slots, which kept
 * batches from forming.
 */
export const HTTP_THREAD_PARSING = { maxBodyBytes: 32 * 1024, maxAnswerBytes: 32 * 1024 } as const;

/**
 * Decides, per infer call of one model, whether its body is parsed on the HTTP thread or sent
 * to a processing thread: small bodies stay, so a batch forms from many small requests without
 * each one's trip through the processing pool. The answer's size is known only once the model
 * has answered, so calls go to a processing thread until one answer was seen, and for good once
 * any answer was larger than the limit (a 6 MB JSON answer encoded here would stall /ping).
 */
export class HttpThreadParsing {
  /** Calls decided so far, by thread: what the tests and the bench count. */
  readonly counts: Record<ParsingThread, number> = { http: 0, processing: 0 };
  #largestAnswer: number | undefined;

  constructor(private readonly limits: { maxBodyBytes: number; maxAnswerBytes: number } = HTTP_THREAD_PARSING) {}

  /** The thread that parses a body of `bodyBytes` (counted). */
  choose(bodyBytes: number): ParsingThread {
    const here =
      bodyBytes <= this.limits.maxBodyBytes && this.#largestAnswer !== undefined && this.#largestAnswer <= this.limits.maxAnswerBytes;
    const thread = here ? 'http' : 'processing';
    this.counts[thread]++;
    return thread;
  }

  /** An answer's size in bytes (its JSON text and binary outputs), from either thread. */
  answered(bytes: number): void {
    this.#largestAnswer = Math.max(this.#largestAnswer ?? 0, bytes);
  }
}
