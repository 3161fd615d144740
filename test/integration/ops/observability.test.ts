import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaHandler } from '../../../lib/lambda/createLambdaHandler';
import { PowertoolsSink } from '../../../lib/core/observability/PowertoolsSink';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { createS3Client } from '../../../lib/core/sources/s3Client';
import { httpApiEvent, jsonBody, type Result } from '../../support/httpApiEvent';
import { startLocalS3, TEST_CREDENTIALS, type LocalS3 } from '../../support/localS3';
import { fixedShapeModel, writeModel } from '../../support/onnxModels';
import { tempDir } from '../../support/testHandler';

const BUCKET = 'models';
const KEY = 'fixed/1/model.onnx';
// Distinctive values: if any of them shows up in a log line or metric document, payload leaked.
const DATA = [1234.5678, 2345.6789, 3456.789, 4567.891, 5678.912, 6789.123];
const SECRET_NAME = 'caller_secret_input_zq7';

let s3: LocalS3;

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  await s3.put(BUCKET, KEY, fixedShapeModel());
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
});
afterAll(async () => s3?.close());

/** A handler whose Powertools output is captured line by line instead of going to stdout. */
function observedHandler(uri: string) {
  const lines: string[] = [];
  const raw = createLambdaHandler(
    { name: 'fixed', uri, cacheDir: tempDir(), eager: false, session: { intraOpThreads: 1 }, limits: DEFAULT_LIMITS },
    { s3Client: createS3Client({ AWS_ENDPOINT_URL_S3: s3.endpoint }), sink: new PowertoolsSink({ write: (l) => lines.push(l) }) },
  );
  const context = (id: string) => ({ awsRequestId: id, getRemainingTimeInMillis: () => 20_000 });
  return {
    invoke: async (event: unknown, id: string) => (await raw(event, context(id))) as Result,
    logs: () => lines.map((l) => JSON.parse(l)).filter((l) => l.message !== undefined),
    emf: () => lines.map((l) => JSON.parse(l)).filter((l) => l._aws !== undefined),
    text: () => lines.join('\n'),
  };
}

function inferEvent(inputs: unknown[]) {
  return httpApiEvent('POST', '/v2/models/fixed/infer', { body: JSON.stringify({ inputs }) });
}

const GOOD = [
  { name: 'x', shape: [2, 3], datatype: 'FP32', data: DATA },
  { name: 'a', shape: [2], datatype: 'FP32', data: [DATA[0], DATA[1]] },
  { name: 'b', shape: [2], datatype: 'FP32', data: [DATA[2], DATA[3]] },
];

function assertNoPayload(text: string) {
  for (const v of DATA) expect(text).not.toContain(String(v));
  expect(text).not.toContain(SECRET_NAME);
  expect(text).not.toContain(TEST_CREDENTIALS.secretAccessKey);
  expect(text).not.toContain('"inputs"');
}

describe('one log line and one EMF document per request', () => {
  it('records a successful cold call: model, route, status, phase durations, cold start, sizes', async () => {
    const h = observedHandler(`s3://${BUCKET}/${KEY}`);
    const event = inferEvent(GOOD);

    const result = await h.invoke(event, 'req-ok');

    expect(result.statusCode).toBe(200);
    const [load, request] = h.logs();
    expect(load).toMatchObject({
      level: 'INFO',
      message: 'model load',
      model: 'fixed',
      outcome: 'loaded',
      origin: 'download',
      attempts: 1,
    });
    expect(request).toMatchObject({
      level: 'INFO',
      message: 'request',
      service: 'onnxless',
      model: 'fixed',
      requestId: 'req-ok',
      route: '/v2/models/{model}/infer',
      method: 'POST',
      status: 200,
      coldStart: true,
      requestBytes: Buffer.byteLength(event.body as string),
      responseBytes: Buffer.byteLength(result.body),
    });
    for (const phase of ['load', 'preprocess', 'inference', 'postprocess', 'total']) {
      expect(request.durationsMs[phase], phase).toBeGreaterThanOrEqual(0);
    }
    expect(request.durationsMs.load).toBeGreaterThan(0);

    const [loadDoc, requestDoc] = h.emf();
    expect(loadDoc._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'onnxless', Dimensions: [['service', 'model']] });
    expect(loadDoc).toMatchObject({ model: 'fixed', ModelLoadFailures: 0 });
    expect(loadDoc.ModelLoadTime).toBeGreaterThan(0);
    expect(requestDoc).toMatchObject({ model: 'fixed', requestId: 'req-ok', Requests: 1, ColdStart: 1, Errors4xx: 0, Errors5xx: 0 });
    expect(requestDoc.InferenceTime).toBe(request.durationsMs.inference);
    const names = requestDoc._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name);
    expect(names).toEqual(
      expect.arrayContaining(['InferenceTime', 'PreprocessTime', 'PostprocessTime', 'ColdStart', 'Errors4xx', 'Errors5xx', 'Latency']),
    );
    assertNoPayload(h.text());

    // The same durations reach the caller.
    expect(result.headers?.['server-timing']).toMatch(
      /^load;dur=[\d.]+, preprocess;dur=[\d.]+, inference;dur=[\d.]+, postprocess;dur=[\d.]+, total;dur=[\d.]+$/,
    );
  });

  it('records a 4xx with its error class but not its message, which may quote the caller', async () => {
    const h = observedHandler(`s3://${BUCKET}/${KEY}`);
    await h.invoke(inferEvent(GOOD), 'warm-up');

    const result = await h.invoke(inferEvent([...GOOD, { name: SECRET_NAME, shape: [1], datatype: 'FP32', data: [DATA[4]] }]), 'req-400');

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toContain(SECRET_NAME);
    const request = h.logs().at(-1);
    expect(request).toMatchObject({ level: 'INFO', status: 400, coldStart: false, errorType: 'BadRequestError', model: 'fixed' });
    expect(request).not.toHaveProperty('errorMessage');
    expect(request.durationsMs).not.toHaveProperty('inference');
    expect(h.emf().at(-1)).toMatchObject({ Requests: 1, ColdStart: 0, Errors4xx: 1, Errors5xx: 0 });
    expect(h.emf().at(-1)).not.toHaveProperty('InferenceTime');
    assertNoPayload(h.text());
  });

  it('records a 503 at ERROR level with the cause operators need, and the failed load', async () => {
    const h = observedHandler(`s3://${BUCKET}/missing/model.onnx`);

    const result = await h.invoke(inferEvent(GOOD), 'req-503');

    expect(result.statusCode).toBe(503);
    const [load, request] = h.logs();
    expect(load).toMatchObject({ level: 'ERROR', message: 'model load', outcome: 'failed', errorType: 'ModelUnavailableError' });
    expect(request).toMatchObject({ level: 'ERROR', status: 503, errorType: 'ModelUnavailableError', requestId: 'req-503' });
    expect(request.errorMessage).toContain(`s3://${BUCKET}/missing/model.onnx`);
    const [loadDoc, requestDoc] = h.emf();
    expect(loadDoc).toMatchObject({ ModelLoadFailures: 1 });
    expect(loadDoc).not.toHaveProperty('ModelLoadTime');
    expect(requestDoc).toMatchObject({ Requests: 1, ColdStart: 1, Errors4xx: 0, Errors5xx: 1 });
    assertNoPayload(h.text());
  });

  it('never lets a caller-chosen path become a model name in logs or metric dimensions', async () => {
    const h = observedHandler(`s3://${BUCKET}/${KEY}`);
    await h.invoke(httpApiEvent('GET', `/v2/models/${SECRET_NAME}`), 'req-404');
    expect(h.logs().at(-1)).toMatchObject({ status: 404, route: '/v2/models/{model}' });
    expect(h.logs().at(-1)).not.toHaveProperty('model');
    expect(h.emf().at(-1)).toMatchObject({ model: 'none', Errors4xx: 1 });
    assertNoPayload(h.text());
  });

  it('records direct invocations too, on the invoke route', async () => {
    const h = observedHandler(`s3://${BUCKET}/${KEY}`);
    const out = (await h.invoke({ inputs: GOOD }, 'req-invoke')) as unknown as { outputs: unknown[] };
    expect(out.outputs).toHaveLength(2);
    expect(h.logs().at(-1)).toMatchObject({ route: 'invoke', status: 200, model: 'fixed', requestId: 'req-invoke' });
    await expect(h.invoke({ inputs: 'nope' }, 'req-invoke-bad')).rejects.toThrow();
    expect(h.logs().at(-1)).toMatchObject({ route: 'invoke', status: 400, errorType: 'BadRequestError' });
    assertNoPayload(h.text());
  });

  it('records a body refused before routing (413) with its size', async () => {
    const lines: string[] = [];
    const raw = createLambdaHandler(
      {
        name: 'fixed',
        uri: writeModel(join(tempDir(), 'm.onnx'), fixedShapeModel()),
        cacheDir: tempDir(),
        eager: false,
        session: {},
        limits: { ...DEFAULT_LIMITS, maxBodyBytes: 100 },
      },
      { sink: new PowertoolsSink({ write: (l) => lines.push(l) }) },
    );
    const result = (await raw(httpApiEvent('POST', '/v2/models/fixed/infer', { body: 'x'.repeat(500) }))) as Result;
    expect(result.statusCode).toBe(413);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ status: 413, requestBytes: 500, errorType: 'PayloadTooLargeError' });
    expect(result.headers?.['server-timing']).toMatch(/total;dur=/);
  });
});
