import { afterEach, describe, expect, it } from 'vitest';
import { HTTP_THREAD_PARSING } from '../../../lib/serve/processingPool/HttpThreadParsing';
import type { ServedModel } from '../../../lib/serve/ServedModel';
import { call, startTestServer, tempDir } from './helpers';
import { BATCHABLE, writeModels } from './models';

/** An infer body of `rows` rows for the batchable classifier, and its JSON text. */
function inferBody(rows: number): string {
  return JSON.stringify({
    inputs: [
      {
        name: 'x',
        datatype: 'FP32',
        shape: [rows, BATCHABLE.features],
        data: Array.from({ length: rows * BATCHABLE.features }, (_, i) => Math.sin(i)),
      },
      { name: 'ids', datatype: 'INT32', shape: [rows, 4], data: Array.from({ length: rows * 4 }, (_, i) => i) },
    ],
  });
}

describe('serve parses small infer bodies on the HTTP thread', () => {
  let server: Awaited<ReturnType<typeof startTestServer>> | undefined;

  afterEach(async () => {
    await server?.drain(5000);
    server = undefined;
  });

  async function classifier(): Promise<{ url: string; model: ServedModel }> {
    const paths = writeModels(tempDir(), 4);
    server = await startTestServer({ workers: 1, processingThreads: 1, models: { classifier: { weights: paths.batchable } } });
    return { url: server.url, model: server.models.find((m) => m.name === 'classifier')! };
  }

  const infer = (url: string, body: string) => call(url, 'POST', '/v2/models/classifier/infer', body);

  it('sends the first call to a processing thread, then parses small bodies here, answering alike', async () => {
    // prepare
    const { url, model } = await classifier();
    const body = inferBody(2);

    // act
    const first = await infer(url, body);
    const afterFirst = { ...model.parsing.counts };
    const second = await infer(url, body);
    const third = await infer(url, body);

    // assess: the answer's size is unknown before the first answer; then no processing task
    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    expect(afterFirst).toEqual({ http: 0, processing: 1 });
    expect(model.parsing.counts).toEqual({ http: 2, processing: 1 });
    expect(second.json()).toEqual(first.json());
    expect(third.json()).toEqual(first.json());
  });

  it('sends a body over the limit to a processing thread, and small ones still parse here', async () => {
    // prepare: a small request padded with whitespace past the limit (its answer stays small)
    const { url, model } = await classifier();
    const small = inferBody(1);
    const padded = small + ' '.repeat(HTTP_THREAD_PARSING.maxBodyBytes);
    await infer(url, small);

    // act
    const big = await infer(url, padded);
    const after = await infer(url, small);

    // assess
    expect([big.status, after.status]).toEqual([200, 200]);
    expect(big.json()).toEqual(after.json());
    expect(model.parsing.counts).toEqual({ http: 1, processing: 2 });
  });

  it('keeps a model on the processing threads once it gave an answer over the limit', async () => {
    // prepare: enough rows that the answer's JSON is over the limit
    const { url, model } = await classifier();
    const rows = 600;
    const large = await infer(url, inferBody(rows));
    expect(large.status).toBe(200);
    expect(large.body.length).toBeGreaterThan(HTTP_THREAD_PARSING.maxAnswerBytes);

    // act
    const small = await infer(url, inferBody(1));

    // assess
    expect(small.status).toBe(200);
    expect(model.parsing.counts).toEqual({ http: 0, processing: 2 });
  });

  it('answers a malformed small body parsed here with the same 400 as a processing thread', async () => {
    // prepare
    const { url, model } = await classifier();
    await infer(url, inferBody(1));

    // act
    const broken = await infer(url, '{"inputs": [');

    // assess
    expect(broken.status).toBe(400);
    expect(broken.json()).toEqual({ error: expect.any(String) });
    expect(model.parsing.counts).toEqual({ http: 1, processing: 1 });
  });
});
