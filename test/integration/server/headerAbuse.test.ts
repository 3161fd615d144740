import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityModel, writeModel } from '../../support/onnxModels';
import { call, startTestServer, tempDir, waitFor } from './helpers';
import { rawExchange } from './rawSocket';

/**
 * Header abuse and request-smuggling forms, sent as raw bytes: each is refused with a JSON
 * `{"error"}` (with nosniff), never read one way here and another way by a proxy in front, and
 * the server keeps serving. Node's parser refuses the framing forms itself (answered by
 * answerClientError); serve refuses what the parser lets through but would guess at.
 */
const BODY = '{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1]}]}';
const HEAD = 'POST /v2/models/m/infer HTTP/1.1\r\nhost: x\r\n';
const END = 'connection: close\r\n\r\n';

const FORMS: Array<[string, string, number]> = [
  // Framing: Content-Length against Transfer-Encoding, twice, or malformed.
  [
    'Content-Length and Transfer-Encoding',
    `${HEAD}content-type: application/json\r\ncontent-length: 4\r\ntransfer-encoding: chunked\r\n${END}0\r\n\r\n`,
    400,
  ],
  [
    'two equal Content-Lengths',
    `${HEAD}content-type: application/json\r\ncontent-length: ${BODY.length}\r\ncontent-length: ${BODY.length}\r\n${END}${BODY}`,
    400,
  ],
  [
    'two different Content-Lengths',
    `${HEAD}content-type: application/json\r\ncontent-length: ${BODY.length}\r\ncontent-length: 5\r\n${END}${BODY}`,
    400,
  ],
  [
    'Transfer-Encoding chunked, identity',
    `${HEAD}content-type: application/json\r\ntransfer-encoding: chunked, identity\r\n${END}0\r\n\r\n`,
    400,
  ],
  ['Transfer-Encoding gzip', `${HEAD}content-type: application/json\r\ntransfer-encoding: gzip\r\n${END}${BODY}`, 400],
  ['a space before the colon', `${HEAD}content-type: application/json\r\ncontent-length : ${BODY.length}\r\n${END}${BODY}`, 400],
  [
    'an obsolete line folding',
    `${HEAD}content-type: application/json\r\nx-a: b\r\n c\r\ncontent-length: ${BODY.length}\r\n${END}${BODY}`,
    400,
  ],
  [
    'bare LF line ends',
    `POST /v2/models/m/infer HTTP/1.1\nhost: x\ncontent-type: application/json\ncontent-length: ${BODY.length}\n\n${BODY}`,
    400,
  ],
  [
    'a NUL in a header value',
    `${HEAD}content-type: application/json\r\nx-a: b\u0000c\r\ncontent-length: ${BODY.length}\r\n${END}${BODY}`,
    400,
  ],
  // What the parser lets through: serve refuses it rather than pick one reading.
  [
    'two Content-Types (Node keeps the first, a proxy may keep the last)',
    `${HEAD}content-type: application/json\r\ncontent-type: application/octet-stream\r\ncontent-length: ${BODY.length}\r\n${END}${BODY}`,
    400,
  ],
  [
    'two Inference-Header-Content-Lengths (Node joins them)',
    `${HEAD}content-type: application/octet-stream\r\ninference-header-content-length: 10\r\ninference-header-content-length: 10\r\ncontent-length: ${BODY.length}\r\n${END}${BODY}`,
    400,
  ],
  [
    'an Expect other than 100-continue',
    `${HEAD}content-type: application/json\r\nexpect: 200-ok\r\ncontent-length: ${BODY.length}\r\n${END}${BODY}`,
    417,
  ],
];

describe('header abuse and smuggling forms', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({
      models: { m: { weights: writeModel(join(tempDir('onnxless-headers-'), 'm.onnx'), identityModel()) } },
    });
    await waitFor(async () => (await call(server.url, 'GET', '/ping')).status === 200, 30_000, '/ping 200');
  });
  afterAll(async () => {
    await server?.drain(1000);
  });

  it.each(FORMS)('refuses %s with a JSON error', async (_name, raw, status) => {
    const reply = await rawExchange(server.url, raw, 10_000);
    expect(reply.status, reply.body).toBe(status);
    expect(Object.keys(JSON.parse(reply.body))).toEqual(['error']);
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers.connection).toBe('close');
  });

  it('still answers a well-formed request after all of them', async () => {
    const reply = await rawExchange(
      server.url,
      `${HEAD}content-type: application/json\r\ncontent-length: ${BODY.length}\r\n${END}${BODY}`,
      10_000,
    );
    expect(reply.status).toBe(200);
    expect(server.logs.filter((l) => l.level === 'ERROR')).toEqual([]);
  });
});
