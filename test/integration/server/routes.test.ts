import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPipeline } from '../../../lib/core/builtins';
import { OnnxRunner } from '../../../lib/core/onnx/OnnxRunner';
import { REAL_MODELS } from '../../support/realModels';
import { call, metricValue, startTestServer, tempDir, type Reply } from './helpers';
import { writeModels } from './models';

const x = Array.from({ length: 32 }, (_, i) => Math.sin(i) * 2);
const ids = [1, 2, 3, 4, -5, 6, 2 ** 30, 8];
const jsonRequest = {
  id: 'req-1',
  inputs: [
    { name: 'x', datatype: 'FP32', shape: [2, 16], data: x },
    { name: 'ids', datatype: 'INT32', shape: [2, 4], data: ids },
  ],
};

/** Triton binary framing: JSON header, then the raw little-endian tensors in input order. */
function binaryRequest(): { body: Buffer; headerLength: number } {
  const xBytes = Buffer.from(Float32Array.from(x).buffer);
  const idBytes = Buffer.from(Int32Array.from(ids).buffer);
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        { name: 'x', datatype: 'FP32', shape: [2, 16], parameters: { binary_data_size: xBytes.length } },
        { name: 'ids', datatype: 'INT32', shape: [2, 4], parameters: { binary_data_size: idBytes.length } },
      ],
      parameters: { binary_data_output: true },
    }),
  );
  return { body: Buffer.concat([header, xBytes, idBytes]), headerLength: header.length };
}

/** Output name -> [shape, bytes] of a binary OIP response. */
function readBinaryResponse(reply: Reply): Record<string, { shape: number[]; bytes: Buffer }> {
  const length = Number(reply.headers['inference-header-content-length']);
  const header = JSON.parse(reply.body.subarray(0, length).toString('utf8')) as {
    outputs: Array<{ name: string; shape: number[]; parameters: { binary_data_size: number } }>;
  };
  let offset = length;
  const out: Record<string, { shape: number[]; bytes: Buffer }> = {};
  for (const o of header.outputs) {
    out[o.name] = { shape: o.shape, bytes: reply.body.subarray(offset, offset + o.parameters.binary_data_size) };
    offset += o.parameters.binary_data_size;
  }
  return out;
}

async function textLineImage(text: string): Promise<Buffer> {
  const sharp = (await import('sharp')).default;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="48"><rect width="100%" height="100%" fill="white"/><text x="8" y="34" font-size="28" font-family="sans-serif">${text}</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

describe('onnxless serve: OIP, domain, SageMaker and metrics routes over real HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let reference: Record<string, Tensor>;
  let paths: ReturnType<typeof writeModels>;

  beforeAll(async () => {
    paths = writeModels(tempDir(), 4);
    server = await startTestServer(
      {
        workers: 2,
        defaultModel: 'classifier',
        models: {
          classifier: { weights: paths.batchable, version: '3', maxBodyBytes: 4096 },
          orientation: { weights: REAL_MODELS.textOrientation, pipeline: 'textOrientation' },
        },
      },
      { resolvePipeline: getPipeline },
    );
    const session = await InferenceSession.create(paths.batchable);
    reference = (await session.run({
      x: new Tensor('float32', Float32Array.from(x), [2, 16]),
      ids: new Tensor('int32', Int32Array.from(ids), [2, 4]),
    })) as Record<string, Tensor>;
  });

  afterAll(async () => {
    await server?.drain(5000);
  });

  it('answers the OIP server routes', async () => {
    expect((await call(server.url, 'GET', '/v2')).json()).toMatchObject({
      name: 'onnxless',
      extensions: ['binary_tensor_data', 'classification'],
    });
    expect((await call(server.url, 'GET', '/v2/health/live')).json()).toEqual({ live: true });
    const ready = await call(server.url, 'GET', '/v2/health/ready');
    expect(ready.status).toBe(200);
  });

  it('describes a model from the session its workers loaded', async () => {
    const meta = (await call(server.url, 'GET', '/v2/models/classifier')).json();
    expect(meta).toMatchObject({
      name: 'classifier',
      versions: ['3'],
      inputs: [
        { name: 'x', datatype: 'FP32', shape: [-1, 16] },
        { name: 'ids', datatype: 'INT32', shape: [-1, 4] },
      ],
    });
    expect((await call(server.url, 'GET', '/v2/models/classifier/ready')).json()).toEqual({ name: 'classifier', ready: true });
  });

  it('infers over JSON exactly as a direct session.run does', async () => {
    const reply = await call(server.url, 'POST', '/v2/models/classifier/infer', jsonRequest);
    expect(reply.status).toBe(200);
    const body = reply.json();
    expect(body).toMatchObject({ model_name: 'classifier', model_version: '3', id: 'req-1' });
    const outputs = Object.fromEntries(body.outputs.map((o: { name: string }) => [o.name, o]));
    expect(outputs.label.data).toEqual(Array.from(reference.label!.data as BigInt64Array, Number));
    expect(outputs.scaled.data).toEqual(Array.from(reference.scaled!.data as Int32Array));
    const probs = reference.probs!.data as Float32Array;
    outputs.probs.data.forEach((v: number, i: number) => expect(Math.abs(v - probs[i]!)).toBeLessThanOrEqual(1e-6));
  });

  it('infers over the binary tensor extension, bytes identical to a direct run', async () => {
    const { body, headerLength } = binaryRequest();
    const reply = await call(server.url, 'POST', '/v2/models/classifier/infer', body, {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(headerLength),
    });
    expect(reply.status).toBe(200);
    const out = readBinaryResponse(reply);
    const bytesOf = (t: Tensor) =>
      Buffer.from((t.data as Float32Array).buffer, (t.data as Float32Array).byteOffset, (t.data as Float32Array).byteLength);
    expect(out.probs!.bytes.equals(bytesOf(reference.probs!))).toBe(true);
    expect(out.label!.bytes.equals(bytesOf(reference.label!))).toBe(true);
    expect(out.scaled!.shape).toEqual([2, 4]);
  });

  it('answers errors with the OIP error body and the right status', async () => {
    const unknown = await call(server.url, 'POST', '/v2/models/nope/infer', jsonRequest);
    expect(unknown.status).toBe(404);
    expect(unknown.json().error).toContain('classifier');
    const badShape = await call(server.url, 'POST', '/v2/models/classifier/infer', {
      inputs: [{ ...jsonRequest.inputs[0], shape: [2, 15] }, jsonRequest.inputs[1]],
    });
    expect(badShape.status).toBe(400);
    expect((await call(server.url, 'POST', '/v2/models/classifier/infer', 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    const tooBig = await call(server.url, 'POST', '/v2/models/classifier/infer', Buffer.alloc(5000, 32));
    expect(tooBig.status).toBe(413);
    expect((await call(server.url, 'DELETE', '/v2/models/classifier/infer')).status).toBe(405);
  });

  it('serves the domain route with the same answer as the pipeline on a direct session', async () => {
    const image = await textLineImage('onnxless 2024');
    const reply = await call(server.url, 'POST', '/models/orientation/predict', image, { 'content-type': 'image/png' });
    expect(reply.status).toBe(200);
    const direct = new OnnxRunner(await InferenceSession.create(REAL_MODELS.textOrientation));
    const expected = await getPipeline('textOrientation').predict({ contentType: 'image/png', body: image, query: {} }, direct);
    expect(reply.json()).toEqual(expected);
    expect((await call(server.url, 'POST', '/models/classifier/predict', image, { 'content-type': 'image/png' })).status).toBe(404);
  });

  it('speaks the SageMaker contract: /ping, and /invocations to the default model in JSON and binary', async () => {
    const ping = await call(server.url, 'GET', '/ping');
    expect(ping.status).toBe(200);
    const direct = (await call(server.url, 'POST', '/v2/models/classifier/infer', jsonRequest)).json();
    const invoked = await call(server.url, 'POST', '/invocations', jsonRequest);
    expect(invoked.status).toBe(200);
    expect(invoked.json()).toEqual(direct);

    const { body, headerLength } = binaryRequest();
    const binary = await call(server.url, 'POST', '/invocations', body, {
      'content-type': `application/vnd.sagemaker-triton.binary+json;json-header-size=${headerLength}`,
    });
    expect(binary.status).toBe(200);
    expect(readBinaryResponse(binary).probs!.bytes.length).toBe(2 * 8 * 4);
  });

  it('exports Prometheus metrics: requests by model and status, latency, queue time, batch sizes, load time', async () => {
    const reply = await call(server.url, 'GET', '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toContain('text/plain');
    const text = reply.body.toString('utf8');
    expect(
      metricValue(text, 'onnxless_requests_total', { model: 'classifier', route: '/v2/models/{model}/infer', status: '200' }),
    ).toBeGreaterThanOrEqual(3);
    expect(metricValue(text, 'onnxless_requests_total', { model: 'classifier', status: '400' })).toBeGreaterThanOrEqual(1);
    // A caller's made-up model name never becomes a label.
    expect(text).not.toContain('model="nope"');
    expect(metricValue(text, 'onnxless_request_duration_seconds_count', { model: 'classifier' })).toBeGreaterThan(0);
    expect(metricValue(text, 'onnxless_queue_duration_seconds_count', { model: 'classifier' })).toBeGreaterThan(0);
    expect(metricValue(text, 'onnxless_batch_size_count', { model: 'classifier' })).toBeGreaterThan(0);
    expect(metricValue(text, 'onnxless_inference_duration_seconds_count', { model: 'orientation' })).toBeGreaterThan(0);
    expect(
      metricValue(text, 'onnxless_model_load_duration_seconds_count', { model: 'classifier', stage: 'session' }),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toContain('onnxless_nodejs_eventloop_lag_seconds');
    // The Router's request records, the events the Lambda handlers log, feed these series.
    expect(metricValue(text, 'onnxless_phase_duration_seconds_count', { model: 'classifier', phase: 'inference' })).toBeGreaterThanOrEqual(
      3,
    );
    expect(metricValue(text, 'onnxless_phase_duration_seconds_count', { model: 'classifier', phase: 'preprocess' })).toBeGreaterThanOrEqual(
      3,
    );
    expect(metricValue(text, 'onnxless_errors_total', { model: 'classifier', class: '4xx' })).toBeGreaterThanOrEqual(1);
  });
});
