import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, metricValue, spawnServer, startTestServer, tempDir, waitFor } from './helpers';
import { writeModels } from './models';
import { abortedUpload, rawExchange } from './rawSocket';

/**
 * What any client on the network can send: request-targets `new URL` chokes on, fuzzed request
 * lines and headers, uploads it gives up on, bodies over the limit sent without waiting.
 * None of it may end the process or leak an in-flight slot (issue 13 S1, S3; issue 12 item 2).
 */
describe('the server answers whatever arrives on the socket and keeps serving', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;

  beforeAll(async () => {
    const models = writeModels(tempDir());
    server = await startTestServer({
      cacheDir: tempDir(),
      models: { batchable: { weights: models.batchable, maxBodyBytes: 64 * 1024 }, slow: { weights: models.slow } },
    });
    await waitFor(async () => (await call(server.url, 'GET', '/ping')).status === 200, 30_000, '/ping 200');
  });

  afterAll(async () => {
    await server?.drain(1_000);
  });

  const inFlight = async () => metricValue((await call(server.url, 'GET', '/metrics')).body.toString(), 'onnxless_requests_in_flight');

  it.each(['//', '///', '//a:b@/', '//[', '/v2/models/%E0%A4%A/ready'])('answers %s with a JSON error, not a crash', async (target) => {
    const reply = await rawExchange(server.url, `GET ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
    expect([400, 404]).toContain(reply.status);
    expect(JSON.parse(reply.body)).toHaveProperty('error');
    expect((await call(server.url, 'GET', '/ping')).status).toBe(200);
  });

  it('answers a request line the HTTP parser refuses with a JSON 400', async () => {
    const reply = await rawExchange(server.url, 'GET /ping HTTP/1.1 junk\r\n\r\n');
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({ error: 'malformed HTTP request' });
  });

  it('survives fuzzed request lines and headers: every answer is a status, never a 5xx, and /ping still answers', async () => {
    const token = fc.stringMatching(/^[!-~]{0,24}$/);
    const target = fc.oneof(
      fc.constantFrom('/', '//', '/v2/models/batchable/infer', '/invocations', '*', 'http://x/ping'),
      fc.string({ maxLength: 40 }),
      token.map((t) => `/${t}`),
      token.map((t) => `//${t}`),
    );
    const header = fc.tuple(token, fc.string({ maxLength: 30 })).map(([k, v]) => `${k}: ${v}`);
    const method = fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'X', 'get');
    const statuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(method, target, fc.array(header, { maxLength: 4 }), async (m, t, hs) => {
        const reply = await rawExchange(
          server.url,
          `${m} ${t} HTTP/1.1\r\nhost: x\r\n${hs.join('\r\n')}${hs.length ? '\r\n' : ''}content-length: 0\r\nconnection: close\r\n\r\n`,
          1_000,
        );
        statuses.push(reply.status);
        expect(reply.status).toBeLessThan(500);
      }),
      { numRuns: 150, seed: 1313 },
    );
    expect(statuses.filter((s) => s >= 400).length).toBeGreaterThan(0);
    expect((await call(server.url, 'GET', '/ping')).status).toBe(200);
  });

  /** Requests the server counted as ended by their client (status 499). */
  const clientClosed = async () =>
    metricValue((await call(server.url, 'GET', '/metrics')).body.toString(), 'onnxless_requests_total', { status: '499' });

  it('releases the in-flight slot of every aborted upload, logging each at INFO', async () => {
    const before = server.logs.length;
    const closedBefore = await clientClosed();
    await Promise.all(Array.from({ length: 30 }, () => abortedUpload(server.url, '/v2/models/batchable/infer', 60_000, 4_000)));
    await waitFor(async () => (await inFlight()) === 1, 10_000, 'in-flight back to 1 (the /metrics call itself)');
    // An upload reset before the server parsed its head never became a request; every other one
    // ended as a 499 with one INFO line. The last of them may still be closing on a loaded
    // machine: wait until the counter and the log agree, then compare.
    const disconnects = () => server.logs.slice(before).filter((l) => l.message === 'client disconnected');
    await waitFor(async () => disconnects().length === (await clientClosed()) - closedBefore, 10_000, 'every 499 logged');
    const closed = (await clientClosed()) - closedBefore;
    const lines = disconnects();
    expect(closed).toBeGreaterThan(0);
    expect(lines).toHaveLength(closed);
    expect(lines.every((l) => l.level === 'INFO')).toBe(true);
    expect(server.logs.slice(before).filter((l) => l.level === 'ERROR')).toHaveLength(0);
  });

  it('releases the slot of a client that disconnects while its answer is being computed', { timeout: 90_000 }, async () => {
    const before = server.logs.length;
    const body = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [1] }] });
    const request = `POST /v2/models/slow/infer HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    // Three clients send, wait until the server has their requests, and leave before the answer.
    const { hostname, port } = new URL(server.url);
    const sockets = Array.from({ length: 3 }, () => {
      const socket = connect(Number(port), hostname, () => socket.write(request));
      socket.on('error', () => undefined);
      return socket;
    });
    await waitFor(async () => (await inFlight()) >= 4, 20_000, 'three requests in flight');
    for (const socket of sockets) socket.destroy();
    // The slot is held until the run it started has finished (a drain waits for it), then released.
    await waitFor(async () => (await inFlight()) === 1, 60_000, 'in-flight back to 1');
    expect(server.logs.slice(before).filter((l) => l.message === 'client disconnected' && l.level === 'INFO')).toHaveLength(3);
    expect(server.logs.slice(before).filter((l) => l.level === 'ERROR')).toHaveLength(0);
  });

  it('answers 413 to a client that sends an over-limit body without waiting (Python http.client), no broken pipe', async () => {
    const script = [
      'import http.client, json, sys',
      'u = sys.argv[1].split(":")',
      'outcomes = []',
      'for size in (2_000_000, 40_000_000):',
      '    c = http.client.HTTPConnection(u[0], int(u[1]), timeout=20)',
      '    try:',
      '        c.request("POST", "/v2/models/batchable/infer", body=b" " * size, headers={"Content-Type": "application/json"})',
      '        r = c.getresponse()',
      '        outcomes.append([r.status, "error" in json.loads(r.read())])',
      '    except Exception as e:',
      '        outcomes.append([type(e).__name__, False])',
      '    c.close()',
      'print(json.dumps(outcomes))',
    ].join('\n');
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('python3', ['-c', script, new URL(server.url).host]);
      let text = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.stderr.on('data', (c: Buffer) => (text += c.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(text));
    });
    expect(JSON.parse(out)).toEqual([
      [413, true],
      [413, true],
    ]);
    expect((await call(server.url, 'GET', '/ping')).status).toBe(200);
  });
});

describe('the serve command after aborted uploads', () => {
  it('reads 0 in flight (besides the /metrics call) and exits 0 on SIGTERM', async () => {
    // prepare
    const models = writeModels(tempDir());
    const server = await spawnServer(
      [
        'node',
        'bin/onnxless.mjs',
        'serve',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--workers',
        '1',
        '--model',
        `batchable=${models.batchable}`,
      ],
      {
        ONNXLESS_CACHE_DIR: tempDir(),
        ONNXLESS_MODEL_DIR: tempDir(),
      },
    );
    try {
      await waitFor(async () => (await call(server.url, 'GET', '/ping')).status === 200, 30_000, '/ping 200');

      // act
      await Promise.all(Array.from({ length: 20 }, () => abortedUpload(server.url, '/v2/models/batchable/infer', 200_000, 8_000)));
      let gauge = -1;
      await waitFor(
        async () => (gauge = metricValue((await call(server.url, 'GET', '/metrics')).body.toString(), 'onnxless_requests_in_flight')) === 1,
        5_000,
        'in-flight 1',
      );
      server.child.kill('SIGTERM');
      const exit = await server.exited;

      // assess
      expect(gauge).toBe(1);
      expect(exit.code).toBe(0);
      expect(server.stdout()).toContain('"message":"drained","clean":true');
      expect(server.stdout()).toContain('"message":"client disconnected"');
      expect(server.stderr()).not.toContain('"level":"ERROR"');
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  });
});
