import { describe, expect, it } from 'vitest';
import { readWithinBudget, STEP } from '../../../lib/core/builtins/ocr/readingBudget';
import { Deadline } from '../../../lib/core/inference/Deadline';
import { InferenceDeadlineError } from '../../../lib/core/inference/errors';

/** A clock the test moves: each step "takes" `stepMs`. */
function steppedClock(stepMs: number) {
  let now = 0;
  return { now: () => now, advance: () => (now += stepMs) };
}

/** Reads each box as its own index, advancing the clock once a step; records the steps asked for. */
function recordingReader(clock?: { advance: () => number }) {
  const steps: [number, number][] = [];
  const read = (start: number, end: number) => {
    steps.push([start, end]);
    clock?.advance();
    return Promise.resolve(Array.from({ length: end - start }, (_, k) => start + k));
  };
  return { steps, read };
}

const unlimited = { maxRecognitionWidth: Infinity, time: Deadline.none() };

describe('readWithinBudget', () => {
  it('reads every box in order, a step of at most 24 boxes and 8,000 px at a time', async () => {
    const widths = [...Array<number>(30).fill(100), ...Array<number>(10).fill(2_400)];
    const { steps, read } = recordingReader();
    const result = await readWithinBudget(widths, unlimited, read);
    expect(result).toEqual({ results: widths.map((_, i) => i), read: 40 });
    // 24 boxes; 6 of 100 and three of 2,400 (8,000 px would be passed by a fourth); then 3, 3, 1.
    expect(steps).toEqual([
      [0, 24],
      [24, 33],
      [33, 36],
      [36, 39],
      [39, 40],
    ]);
    expect(STEP).toEqual({ boxes: 24, width: 8_000 });
  });

  it('reads the longest prefix whose widths fit maxRecognitionWidth, and names that bound', async () => {
    const { steps, read } = recordingReader();
    const result = await readWithinBudget([300, 300, 300, 300], { ...unlimited, maxRecognitionWidth: 950 }, read);
    expect(result).toEqual({ results: [0, 1, 2], read: 3, truncatedReason: 'maxRecognitionWidth' });
    expect(steps).toEqual([[0, 3]]);
  });

  it('reads nothing when the first box alone is over maxRecognitionWidth', async () => {
    const result = await readWithinBudget([2_400, 10], { ...unlimited, maxRecognitionWidth: 2_000 }, recordingReader().read);
    expect(result).toEqual({ results: [], read: 0, truncatedReason: 'maxRecognitionWidth' });
  });

  it('starts no step once the time budget is spent', async () => {
    const clock = steppedClock(400);
    const { steps, read } = recordingReader(clock);
    // 100 boxes: five steps; each takes 400 ms of a 1,000 ms budget.
    const result = await readWithinBudget(Array<number>(100).fill(50), { ...unlimited, time: Deadline.in(1_000, clock.now) }, read);
    // After two steps 200 ms are left, less than the slowest step: the third is not started.
    expect(steps).toHaveLength(2);
    expect(result).toMatchObject({ read: 48, truncatedReason: 'timeBudgetMs' });
    expect(result.results).toHaveLength(48);
  });

  it('starts nothing with a budget already spent', async () => {
    const { steps, read } = recordingReader();
    const result = await readWithinBudget([10, 10], { ...unlimited, time: Deadline.in(0, () => 0) }, read);
    expect(result).toEqual({ results: [], read: 0, truncatedReason: 'timeBudgetMs' });
    expect(steps).toEqual([]);
  });

  it("keeps the steps read when a run is refused for the request's deadline", async () => {
    let calls = 0;
    const read = (start: number, end: number) => {
      calls += 1;
      if (calls === 3) return Promise.reject(new InferenceDeadlineError('ocr-recognition', 900, 100));
      return Promise.resolve(Array.from({ length: end - start }, (_, k) => start + k));
    };
    const result = await readWithinBudget(Array<number>(100).fill(50), unlimited, read);
    expect(result).toMatchObject({ read: 48, truncatedReason: 'deadline' });
    expect(result.results).toHaveLength(48);
  });

  it('lets every other failure through', async () => {
    const failure = new Error('onnxruntime failed');
    await expect(readWithinBudget([10], unlimited, () => Promise.reject(failure))).rejects.toBe(failure);
  });

  it('stops without truncation once the caller has enough', async () => {
    const { steps, read } = recordingReader();
    const result = await readWithinBudget(
      Array<number>(100).fill(50),
      { ...unlimited, maxRecognitionWidth: 1_000 },
      read,
      (got) => got.length >= 10,
    );
    expect(result).toEqual({ results: Array.from({ length: 20 }, (_, i) => i), read: 20 });
    expect(steps).toEqual([[0, 20]]);
  });
});
