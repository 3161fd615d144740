import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaHandler } from '../../../lib/lambda/createLambdaHandler';
import { NO_SINK } from '../../../lib/core/observability/sinks';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { sendRaw } from '../../contract/rawHttp';
import { httpApiEventOf } from '../../contract/targets';
import { bodyBytes, type Result } from '../../support/httpApiEvent';
import { identityModel, writeModel } from '../../support/onnxModels';
import { bytesElements, tritonClassificationRequest, type TritonRequest } from '../../support/tritonClientRequests';
import { startTestServer, tempDir } from './helpers';

/**
 * Triton's classification extension as tritonclient sends it: `InferRequestedOutput('y',
 * class_count=2)` puts `"parameters": {"classification": 2, ...}` on the output. The answer is the
 * two highest scores as `"score:index"` BYTES, in JSON or binary as asked, on serve and the Lambda
 * handler; onnxless's own `class_count` means the same.
 */
const dir = tempDir('onnxless-triton-classification-');
const weights = writeModel(join(dir, 'scores.onnx'), identityModel('float32', ['batch', 'n']));
const SCORES = [0.5, 0.125, 1, 0.25];
const TOP_TWO = ['1.000000:2', '0.500000:0'];
const request = (binary: boolean) =>
  tritonClassificationRequest({ input: 'x', output: 'y', shape: [1, 4], values: SCORES, classCount: 2, binary });

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** The classification output's elements, from a JSON answer or a binary one. */
function classes(answer: Answer): string[] {
  const headerLength = answer.headers['inference-header-content-length'];
  const header = JSON.parse(answer.body.subarray(0, headerLength === undefined ? undefined : Number(headerLength)).toString('utf8'));
  const [output] = header.outputs;
  expect(output).toMatchObject({ name: 'y', datatype: 'BYTES', shape: [1, 2] });
  if (output.data !== undefined) return output.data as string[];
  return bytesElements(answer.body.subarray(Number(headerLength)));
}

let server: Awaited<ReturnType<typeof startTestServer>>;
const handler = createLambdaHandler(
  { name: 'scores', uri: weights, cacheDir: tempDir(), eager: false, session: {}, limits: DEFAULT_LIMITS },
  { sink: NO_SINK },
);

/** The request's bytes on a socket: no Content-Type, as tritonclient sends them. */
function viaServe(req: TritonRequest): Promise<Answer> {
  return sendRaw(server.port, { method: 'POST', path: '/v2/models/scores/infer', headers: req.headers, body: req.body });
}

/** The same request as API Gateway hands it over (no Content-Type: the body base64-encoded). */
async function viaLambda(req: TritonRequest): Promise<Answer> {
  const event = httpApiEventOf({ method: 'POST', path: '/v2/models/scores/infer', headers: req.headers, body: req.body }, '$default');
  const result = (await handler(event)) as Result;
  return { status: result.statusCode, headers: (result.headers ?? {}) as Answer['headers'], body: bodyBytes(result) };
}

beforeAll(async () => {
  server = await startTestServer({ models: { scores: { weights } } });
});
afterAll(async () => {
  await server?.drain(5000);
});

describe("Triton's classification parameter, as tritonclient sends it", () => {
  for (const [form, send] of [
    ['serve', viaServe],
    ['the Lambda handler', viaLambda],
  ] as const) {
    it(`answers the top classes to the JSON request on ${form}`, async () => {
      const answer = await send(request(false));
      expect(answer.status, answer.body.toString('utf8')).toBe(200);
      expect(answer.headers['inference-header-content-length']).toBeUndefined();
      expect(classes(answer)).toEqual(TOP_TWO);
    });

    it(`answers the top classes in binary to the binary request (tritonclient's default) on ${form}`, async () => {
      const answer = await send(request(true));
      expect(answer.status, answer.body.toString('utf8')).toBe(200);
      expect(answer.headers['inference-header-content-length']).toBeDefined();
      expect(classes(answer)).toEqual(TOP_TWO);
    });
  }

  it('takes class_count as the same parameter, and both names when they agree', async () => {
    const body = (parameters: object) =>
      JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: SCORES }], outputs: [{ name: 'y', parameters }] });
    expect(classes(await viaServe({ body: Buffer.from(body({ class_count: 2 })), headers: {} }))).toEqual(TOP_TWO);
    expect(classes(await viaServe({ body: Buffer.from(body({ class_count: 2, classification: 2 })), headers: {} }))).toEqual(TOP_TWO);
  });

  it('refuses a classification that is not a positive whole number, or that disagrees with class_count, naming it', async () => {
    const body = (parameters: object) =>
      Buffer.from(
        JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: SCORES }], outputs: [{ name: 'y', parameters }] }),
      );
    for (const [parameters, message] of [
      [{ classification: 0 }, "output 'y': parameter classification must be a whole number of at least 1"],
      [{ classification: '2' }, "output 'y': parameter classification must be a whole number of at least 1"],
      [{ classification: 2, class_count: 3 }, "output 'y': parameters classification (2) and class_count (3) disagree; give one"],
    ] as const) {
      const answer = await viaServe({ body: body(parameters), headers: {} });
      expect([answer.status, JSON.parse(answer.body.toString('utf8')).error], JSON.stringify(parameters)).toEqual([400, message]);
    }
  });
});
