import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityModel, writeModel } from '../../support/onnxModels';
import { call, startTestServer, tempDir, waitFor } from './helpers';

/**
 * `Expect: 100-continue` (curl for bodies over 1 KiB, .NET's HttpClient, many SDKs): the client
 * waits before sending the body. A body the server will refuse anyway (its declared length over the
 * limit of the model it is for) gets the 413 at once, without `100 Continue`: the client never
 * sends it. A body within the limit gets `100 Continue` and its answer.
 */
const dir = tempDir('onnxless-continue-');
const weights = writeModel(join(dir, 'identity.onnx'), identityModel());

interface Exchange {
  /** Every status line the server wrote, in order (`100`, then the final one). */
  statuses: number[];
  /** The body of the final answer. */
  body: string;
  /** Bytes of the request body sent: only after a `100 Continue`. */
  sent: number;
}

/**
 * Sends the head of a POST with `Expect: 100-continue` and sends the body only on `100 Continue`,
 * as curl does; reads until the server closes the connection (the request asks it to).
 */
function expectContinue(url: string, path: string, body: Buffer, declared = body.length): Promise<Exchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    let sent = 0;
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (sent === 0 && /^HTTP\/1\.1 100 /.test(text) && text.includes('\r\n\r\n')) {
        sent = body.length;
        socket.write(body);
      }
      // The final answer is in: its length is known from Content-Length.
      const final = finalAnswer(text);
      if (final) {
        socket.destroy();
        resolve({ ...final, sent });
      }
    });
    socket.on('error', reject);
    socket.write(
      `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n` +
        'expect: 100-continue\r\nconnection: close\r\n\r\n',
    );
  });
}

function finalAnswer(text: string): { statuses: number[]; body: string } | undefined {
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
  const last = text.lastIndexOf('HTTP/1.1 ');
  if (statuses.at(-1) === 100 || last < 0) return undefined;
  const headEnd = text.indexOf('\r\n\r\n', last);
  if (headEnd < 0) return undefined;
  const length = Number(/\r\ncontent-length: (\d+)/i.exec(text.slice(last, headEnd))?.[1] ?? Number.NaN);
  const body = text.slice(headEnd + 4);
  return body.length >= length ? { statuses, body } : undefined;
}

describe('Expect: 100-continue', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({
      models: { small: { weights, version: '1', maxBodyBytes: 4096 }, large: { weights } },
    });
    await waitFor(async () => (await call(server.url, 'GET', '/ping')).status === 200, 30_000, '/ping 200');
  });
  afterAll(async () => {
    await server?.drain(1000);
  });

  it("answers 413 without 100 Continue when the declared length is over the server's limit", async () => {
    const exchange = await expectContinue(server.url, '/v2/models/large/infer', Buffer.alloc(0), 7 * 1024 * 1024);
    expect(exchange.statuses).toEqual([413]);
    expect(exchange.sent).toBe(0);
    expect(JSON.parse(exchange.body).error).toMatch(/over the limit of 6291456 bytes/);
  });

  it("answers 413 without 100 Continue when the declared length is over the addressed model's own limit", async () => {
    const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }], pad: ' '.repeat(5000) }));
    for (const path of ['/v2/models/small/infer', '/v2/models/small/versions/1/infer']) {
      const exchange = await expectContinue(server.url, path, body);
      expect(exchange.statuses, path).toEqual([413]);
      expect(exchange.sent, path).toBe(0);
      expect(JSON.parse(exchange.body).error, path).toMatch(/over the limit of 4096 bytes/);
    }
  });

  it('sends 100 Continue for a body within the limit, then answers it', async () => {
    const body = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2], data: [1, 2] }] }));
    for (const model of ['small', 'large']) {
      const exchange = await expectContinue(server.url, `/v2/models/${model}/infer`, body);
      expect(exchange.statuses, model).toEqual([100, 200]);
      expect(JSON.parse(exchange.body).outputs[0].data, model).toEqual([1, 2]);
    }
    expect((await call(server.url, 'GET', '/ping')).status).toBe(200);
  });
});
