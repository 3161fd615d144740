import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_WEIGHTS } from '../../../lib/tools/local/exampleWeights';
import type { OcrResult } from '../../../lib/core/builtins/ocr';
import { call, startTestServer } from '../server/helpers';
import { renderPage } from './ocrPage';

/** The same OCR pipeline under `onnxless serve`: members' sessions in the inference threads. */
describe('POST /models/ocr/predict on onnxless serve', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({
      workers: 1,
      processingThreads: 1,
      models: {
        'ocr-detection': { weights: EXAMPLE_WEIGHTS['ocr-detection']! },
        'ocr-orientation': { weights: EXAMPLE_WEIGHTS['ocr-orientation']! },
        // Its folder holds ppocr_keys_v1.txt beside the model file.
        'ocr-recognition': { weights: EXAMPLE_WEIGHTS['ocr-recognition']!, batching: { maxBatchSize: 16, maxQueueDelayMs: 5 } },
      },
      pipelines: {
        ocr: { pipeline: 'ocr', models: { detection: 'ocr-detection', orientation: 'ocr-orientation', recognition: 'ocr-recognition' } },
      },
    });
  }, 60_000);
  afterAll(() => server?.drain(5_000));

  it('reads pages sent at once, each answer its own page, the members still answering OIP', async () => {
    const pages = await Promise.all([
      renderPage([
        { text: 'Serverless pipelines 42', fontSize: 32 },
        { text: 'river stone K7Q2', fontSize: 28, angle: 180 },
      ]),
      renderPage([{ text: 'yellow garden HN45', fontSize: 30 }]),
    ]);
    const replies = await Promise.all(
      pages.map((p) => call(server.url, 'POST', '/models/ocr/predict', p.png, { 'content-type': 'image/png' })),
    );
    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    expect(replies.map((r) => r.json<OcrResult>().lines.map((l) => l.text))).toEqual([
      ['Serverless pipelines 42', 'river stone K7Q2'],
      ['yellow garden HN45'],
    ]);
    const meta = await call(server.url, 'GET', '/v2/models/ocr-recognition');
    expect([meta.status, meta.json<{ name: string }>().name]).toEqual([200, 'ocr-recognition']);
  }, 60_000);
});
