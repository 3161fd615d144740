import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaHandler } from '../../../lib/lambda/createLambdaHandler';
import { NO_SINK } from '../../../lib/core/observability/sinks';
import { encodeBytesElements } from '../../../lib/core/protocol/binaryTensor';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { bodyBytes, httpApiEvent, type Result } from '../../support/httpApiEvent';
import { identityModel, writeModel } from '../../support/onnxModels';
import { call, startTestServer, tempDir } from './helpers';

/**
 * A BYTES element holding a NUL byte: onnxruntime's string tensors are C strings and end at the
 * first NUL, so `"ab\u0000cd"` would run as `"ab"` and come back so with a 200. It is refused with a
 * 400 naming the input and element instead, as text that is not UTF-8 is, in JSON and in binary,
 * on serve (its OIP route and /invocations), the Lambda handler's HTTP route and a direct invoke.
 */
const dir = tempDir('onnxless-nul-');
const weights = writeModel(join(dir, 'strings.onnx'), identityModel('string', ['n'], { input: 's', output: 't' }));
const VALUES = ['plain', 'ab\u0000cd'];

const jsonBody = JSON.stringify({ inputs: [{ name: 's', datatype: 'BYTES', shape: [2], data: VALUES }] });
const binaryData = encodeBytesElements(VALUES);
const binaryHeader = Buffer.from(
  JSON.stringify({
    inputs: [{ name: 's', datatype: 'BYTES', shape: [2], parameters: { binary_data_size: binaryData.length } }],
    outputs: [{ name: 't', parameters: { binary_data: false } }],
  }),
);
const binaryBody = Buffer.concat([binaryHeader, binaryData]);
const binaryHeaders = { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(binaryHeader.length) };

function expectRefused(status: number, text: string, where: string): void {
  expect(status, `${where}: ${text}`).toBe(400);
  expect(JSON.parse(text).error, where).toMatch(/input 's'.*(data\[1\]|element 1).*NUL/);
}

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer({ models: { strings: { weights } } });
});
afterAll(async () => {
  await server?.drain(5000);
});

describe('a NUL byte in a BYTES element', () => {
  it('is a 400 on serve, in JSON and binary, on the OIP route and /invocations', async () => {
    const json = await call(server.url, 'POST', '/v2/models/strings/infer', jsonBody);
    expectRefused(json.status, json.body.toString('utf8'), 'serve JSON');
    const binary = await call(server.url, 'POST', '/v2/models/strings/infer', binaryBody, binaryHeaders);
    expectRefused(binary.status, binary.body.toString('utf8'), 'serve binary');
    const invocations = await call(server.url, 'POST', '/invocations', binaryBody, {
      'content-type': `application/vnd.sagemaker-triton.binary+json;json-header-size=${binaryHeader.length}`,
    });
    expectRefused(invocations.status, invocations.body.toString('utf8'), 'serve /invocations');
  });

  it('is a 400 on the Lambda handler, in JSON and binary, and a 400 error on a direct invoke', async () => {
    const handler = createLambdaHandler(
      { name: 'strings', uri: weights, cacheDir: tempDir(), eager: false, session: {}, limits: DEFAULT_LIMITS },
      { sink: NO_SINK },
    );
    const json = (await handler(httpApiEvent('POST', '/v2/models/strings/infer', { body: jsonBody }))) as Result;
    expectRefused(json.statusCode, bodyBytes(json).toString('utf8'), 'Lambda JSON');
    const binary = (await handler(
      httpApiEvent('POST', '/v2/models/strings/infer', { body: binaryBody, headers: binaryHeaders }),
    )) as Result;
    expectRefused(binary.statusCode, bodyBytes(binary).toString('utf8'), 'Lambda binary');
    await expect(handler(JSON.parse(jsonBody))).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/NUL/) });
  });

  it('leaves other text whole: the elements come back as sent', async () => {
    const data = ['plain', 'ünïcödé ✓', ''];
    const reply = await call(server.url, 'POST', '/v2/models/strings/infer', {
      inputs: [{ name: 's', datatype: 'BYTES', shape: [3], data }],
    });
    expect(reply.status).toBe(200);
    expect(reply.json().outputs[0].data).toEqual(data);
  });
});
