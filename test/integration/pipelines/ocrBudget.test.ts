import { beforeAll, describe, expect, it } from 'vitest';
import { createOcr, OCR_MODELS, type OcrModel, type OcrResult } from '../../../lib/core/builtins/ocr';
import { detectText } from '../../../lib/core/builtins/ocr/detectText';
import { STEP } from '../../../lib/core/builtins/ocr/readingBudget';
import { Deadline } from '../../../lib/core/inference/Deadline';
import { ModelService } from '../../../lib/core/inference/ModelService';
import { PipelineService } from '../../../lib/core/inference/PipelineService';
import type { LoadedModel } from '../../../lib/core/onnx/Loader';
import type { ModelRunner } from '../../../lib/core/pipeline/Pipeline';
import { decodeImage } from '../../../lib/core/processing/image/decodeImage';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { EXAMPLE_WEIGHTS } from '../../../lib/tools/local/exampleWeights';
import { jsonBody } from '../../support/httpApiEvent';
import { directRunner } from './directRunner';
import { OCR_MEMBERS, ocrLambda } from './ocrLambda';
import { renderWordGrid, type WordGridPage } from './wordGridPage';

/**
 * Issue 27, item 2: one OCR request of a page of ~400 small boxes cost 9-22 s. The reading is now
 * bounded by the recogniser input (maxRecognitionWidth), a time budget (timeBudgetMs) and the
 * request's deadline; past a bound the answer is the lines read so far, `truncated`. Asserted in
 * counts (boxes read, model runs, lines), never in times: the time budget is tested at 0.
 */
let page: WordGridPage;
let boxes: number;
let runners: Record<OcrModel, ModelRunner>;
const runs: Record<OcrModel, number> = { detection: 0, orientation: 0, recognition: 0 };
/** The page's runs of each model while `fn` runs. */
async function counting<T>(fn: () => Promise<T>): Promise<{ value: T; runs: Record<OcrModel, number> }> {
  const before = { ...runs };
  const value = await fn();
  return { value, runs: Object.fromEntries(OCR_MODELS.map((m) => [m, runs[m] - before[m]])) as Record<OcrModel, number> };
}
const predict = (options: Parameters<typeof createOcr>[0], query: Record<string, string> = {}) =>
  createOcr(options).predict({ contentType: 'image/png', body: page.png, query }, runners) as Promise<OcrResult>;

beforeAll(async () => {
  const counted = async (role: OcrModel): Promise<ModelRunner> => {
    const runner = await directRunner(EXAMPLE_WEIGHTS[OCR_MEMBERS[role]]!);
    return { ...runner, run: (feeds, names) => ((runs[role] += 1), runner.run(feeds, names)) };
  };
  const [grid, detection, orientation, recognition] = await Promise.all([
    renderWordGrid(),
    counted('detection'),
    counted('orientation'),
    counted('recognition'),
  ]);
  page = grid;
  runners = { detection, orientation, recognition };
  boxes = (await detectText(await decodeImage(page.png), detection)).length;
}, 60_000);

/** The grid row a line's box sits in, by its centre (an upside-down line's corners start at the bottom). */
const rowOf = (line: OcrResult['lines'][number]) =>
  Math.floor((line.box.reduce((sum, [, y]) => sum + y, 0) / line.box.length - page.rowTop(0)) / page.rowHeight);

describe('OCR of a page of 400 small words within a reading budget', () => {
  it('finds a box per word: the page the budget is for', () => {
    expect(boxes).toBeGreaterThanOrEqual(380);
    expect(boxes).toBeLessThanOrEqual(400); // createOcr's maxBoxes: more would be a 400, not a read
  });

  it('reads the first boxes in reading order up to maxRecognitionWidth and says the rest is unread', async () => {
    const { value: result, runs: used } = await counting(() => predict({ maxRecognitionWidth: 10_000, timeBudgetMs: Infinity }));
    expect(result).toMatchObject({ truncated: true, truncatedReason: 'maxRecognitionWidth', width: page.width, height: page.height });
    const read = boxes - result.unreadBoxes!;
    // A page of short words: about 75 px of input a word, so about 130 of the 400.
    expect(read).toBeGreaterThan(80);
    expect(read).toBeLessThan(200);
    expect(result.lines.length).toBeGreaterThan(read * 0.9);
    expect(result.lines.length).toBeLessThanOrEqual(read);
    // The top of the page: rows in order, none past the row the last box read sits in.
    const rows = result.lines.map(rowOf);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    // (within a row: a word detection split in two, or missed, shifts the count by one)
    const lastRow = Math.floor((read - 1) / page.columns);
    expect(Math.max(...rows)).toBeGreaterThanOrEqual(lastRow - 1);
    expect(Math.max(...rows)).toBeLessThanOrEqual(lastRow);
    // Only the boxes read went through the line models: a step at a time.
    expect(used.detection).toBe(1);
    expect(used.orientation).toBe(Math.ceil(read / STEP.boxes));
  });

  it('reads nothing once the time budget is spent, and says so', async () => {
    const { value: result, runs: used } = await counting(() => predict({ timeBudgetMs: 0 }));
    expect(result).toEqual({
      lines: [],
      width: page.width,
      height: page.height,
      truncated: true,
      truncatedReason: 'timeBudgetMs',
      unreadBoxes: boxes,
    });
    expect(used).toEqual({ detection: 1, orientation: 0, recognition: 0 });
  });

  it('with max_lines, stops after the step that found them: not truncated, the rest never read', async () => {
    const { value: result, runs: used } = await counting(() => predict({ timeBudgetMs: Infinity }, { max_lines: '3' }));
    expect(result.lines).toHaveLength(3);
    expect(result.truncated).toBeUndefined();
    expect(result.lines.map(rowOf)).toEqual([0, 0, 0]);
    expect(used.orientation).toBe(1);
  });

  it('answers the truncated read as a 200 on the Lambda entry', async () => {
    const result = await ocrLambda(createOcr({ maxRecognitionWidth: 1_500 })).post(page.png);
    expect(result.statusCode).toBe(200);
    const body = jsonBody(result) as OcrResult;
    expect(body).toMatchObject({ truncated: true, truncatedReason: 'maxRecognitionWidth' });
    expect(body.lines.length).toBeGreaterThan(10);
    expect(body.lines.length + body.unreadBoxes!).toBeLessThanOrEqual(boxes);
  });
});

describe("OCR within the request's deadline", () => {
  /** The pipeline as the Lambda entry serves it (PipelineService over ModelServices), on the counted sessions. */
  function service(): PipelineService {
    const members = Object.fromEntries(
      OCR_MODELS.map((role) => {
        const loaded = { runner: runners[role], weights: { path: '', dir: '', origin: 'cache' }, loadMs: 0 } as unknown as LoadedModel;
        const loader = { current: loaded, load: () => Promise.resolve(loaded) };
        return [role, new ModelService({ name: OCR_MEMBERS[role], loader, limits: DEFAULT_LIMITS })];
      }),
    );
    return new PipelineService({ name: 'ocr', pipeline: createOcr({ timeBudgetMs: Infinity }), members });
  }

  it('answers the steps read before a run would pass the deadline, truncated, instead of a 504', async () => {
    // The deadline's clock stands still until the second step's classifier has run, then jumps
    // past it: that step's first recognition run is refused (InferenceDeadlineError).
    const started = runs.orientation;
    const clock = () => (runs.orientation - started >= 2 ? 1e12 : 0);
    const result = (await service().predict(
      { contentType: 'image/png', body: page.png, query: {} },
      { deadline: Deadline.in(60_000, clock) },
    )) as OcrResult;
    expect(result).toMatchObject({ truncated: true, truncatedReason: 'deadline', unreadBoxes: boxes - STEP.boxes });
    expect(result.lines.length).toBeGreaterThan(STEP.boxes * 0.9);
    expect(result.lines.length).toBeLessThanOrEqual(STEP.boxes);
    expect(Math.max(...result.lines.map(rowOf))).toBe(Math.floor((STEP.boxes - 1) / page.columns));
  });

  it('answers 504 when the deadline has passed before detection: nothing was read', async () => {
    await expect(
      service().predict({ contentType: 'image/png', body: page.png, query: {} }, { deadline: Deadline.in(-1, () => 0) }),
    ).rejects.toMatchObject({ status: 504 });
  });
});
