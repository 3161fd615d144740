import type { Deadline } from '../../inference/Deadline';
import { InferenceDeadlineError } from '../../inference/errors';

/**
 * Why a page was not read whole: the option whose bound stopped it, or the request's own deadline
 * (on Lambda, its remaining time or API Gateway's 30 s, less a margin).
 */
export const TRUNCATION_REASONS = ['maxRecognitionWidth', 'timeBudgetMs', 'deadline'] as const;
export type TruncationReason = (typeof TRUNCATION_REASONS)[number];

/** How much of a page one request may read. */
export interface ReadingBudget {
  /** Most recogniser input, summed over the lines read (recognitionWidth: pixels at height 48). */
  maxRecognitionWidth: number;
  /** No step starts once this is past, or when the slowest step so far would not fit before it. */
  time: Deadline;
}

export interface BudgetedRead<T> {
  /** Each step's results, in the boxes' order. */
  results: T[];
  /** Boxes read: the first `read` of the page's boxes; the rest are unread. */
  read: number;
  truncatedReason?: TruncationReason;
}

/**
 * The most one step reads: the steps are what the time budget can stop between, so a step is
 * short (24 boxes: one classifier run and four recogniser runs of 6; 8,000 px of recogniser input,
 * about 1.3 s on one core), yet long enough that batching by width inside it costs little against
 * sorting the whole page (the 20-line bench page is two steps at the recogniser's 1.25x width).
 */
export const STEP = Object.freeze({ boxes: 24, width: 8_000 });

/**
 * Reads a page's boxes, in reading order, step by step within the budget: the boxes whose widths
 * fit in `maxRecognitionWidth` (a prefix, so the answer is the top of the page), and no step once
 * the time budget is spent, or once `enough` says the caller has what it asked for. The request's
 * deadline stops it too: a member's run refused as too late (InferenceDeadlineError, 504) ends
 * the reading with the steps already done, rather than failing the whole request.
 *
 * Why the lines read so far and not a 413/422: a page too big to read whole in one request is
 * still mostly readable, and its top part is what a caller can use at once; the caller learns
 * from `truncatedReason` which bound stopped it, and can send the rest of the page as a crop.
 */
export async function readWithinBudget<T>(
  widths: readonly number[],
  budget: ReadingBudget,
  readStep: (start: number, end: number) => Promise<readonly T[]>,
  enough: (results: readonly T[]) => boolean = () => false,
): Promise<BudgetedRead<T>> {
  let planned = 0;
  for (let sum = 0; planned < widths.length && sum + widths[planned]! <= budget.maxRecognitionWidth; planned++) sum += widths[planned]!;
  const results: T[] = [];
  let read = 0;
  let slowestStepMs = 0;
  while (read < planned && !enough(results)) {
    const remaining = budget.time.remainingMs();
    if (remaining <= 0 || slowestStepMs > remaining) return { results, read, truncatedReason: 'timeBudgetMs' };
    let end = read;
    for (let width = 0; end < planned && end - read < STEP.boxes && (end === read || width + widths[end]! <= STEP.width); end++)
      width += widths[end]!;
    try {
      results.push(...(await readStep(read, end)));
    } catch (err) {
      if (err instanceof InferenceDeadlineError) return { results, read, truncatedReason: 'deadline' };
      throw err;
    }
    // Timed on the budget's own clock (Infinity - Infinity without one: not a time).
    const stepMs = remaining - budget.time.remainingMs();
    if (Number.isFinite(stepMs)) slowestStepMs = Math.max(slowestStepMs, stepMs);
    read = end;
  }
  return planned < widths.length && !enough(results) ? { results, read, truncatedReason: 'maxRecognitionWidth' } : { results, read };
}
