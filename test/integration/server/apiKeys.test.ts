import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../../../lib/serve/config';
import { identityModel, writeModel } from '../../support/onnxModels';
import { call, startTestServer, tempDir, waitFor, type Reply } from './helpers';
import { rawExchange } from './rawSocket';

/**
 * serve in production: optional API keys (a file or the environment, kept as sha256 digests,
 * compared in constant time), `/ping` and `/metrics` open or protected as configured, a 401 with
 * `{"error"}` and `WWW-Authenticate`; and `x-content-type-options: nosniff` on every answer.
 */
const dir = tempDir('onnxless-auth-');
const weights = writeModel(join(dir, 'identity.onnx'), identityModel());
const FILE_KEY = 'file-key-0123456789abcdef';
const HASHED_KEY = 'hashed-key-0123456789abcdef';
const CONFIG_KEY = 'config-key-0123456789abcdef';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const keysFile = join(dir, 'keys');
writeFileSync(keysFile, `# serve's keys\n${FILE_KEY}\n\nsha256:${sha256(HASHED_KEY)}\n`);
const INFER = { inputs: [{ name: 'x', datatype: 'FP32', shape: [2], data: [1, 2] }] };

/** Every route a caller can reach, as (method, path, body). */
const ROUTES: Array<[string, string, object?]> = [
  ['GET', '/v2'],
  ['GET', '/v2/health/live'],
  ['GET', '/v2/health/ready'],
  ['GET', '/v2/models/m'],
  ['GET', '/v2/models/m/ready'],
  ['POST', '/v2/models/m/infer', INFER],
  ['POST', '/invocations', INFER],
  ['GET', '/openapi.json'],
  ['GET', '/docs'],
  ['GET', '/playground'],
  ['GET', '/metrics'],
  ['GET', '/ping'],
];

function expectRefused(reply: Reply, what: string, invalid = false): void {
  expect(reply.status, `${what}: ${reply.body.toString('utf8')}`).toBe(401);
  expect(Object.keys(reply.json()), what).toEqual(['error']);
  expect(reply.headers['www-authenticate'], what).toBe(
    invalid ? 'Bearer realm="onnxless", error="invalid_token"' : 'Bearer realm="onnxless"',
  );
  expect(reply.headers['x-content-type-options'], what).toBe('nosniff');
}

describe('API keys', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ models: { m: { weights } }, auth: { apiKeysFile: keysFile, apiKeySha256: [sha256(CONFIG_KEY)] } });
    await waitFor(async () => (await call(server.url, 'GET', '/ping')).status === 200, 30_000, '/ping 200');
  });
  afterAll(async () => {
    await server?.drain(1000);
  });

  it('refuses every route but /ping without a key: 401, {"error"}, WWW-Authenticate', async () => {
    for (const [method, path, body] of ROUTES) {
      const reply = await call(server.url, method, path, body);
      if (path === '/ping') expect(reply.status).toBe(200);
      else expectRefused(reply, `${method} ${path}`);
    }
  });

  it('answers every route to a valid key, as Bearer or x-api-key, from the file (plain or hashed) or the config', async () => {
    for (const headers of [
      { authorization: `Bearer ${FILE_KEY}` } as Record<string, string>,
      { authorization: `bearer ${HASHED_KEY}` },
      { 'x-api-key': CONFIG_KEY },
      { authorization: `Bearer ${FILE_KEY}`, 'x-api-key': CONFIG_KEY },
    ]) {
      for (const [method, path, body] of ROUTES) {
        const reply = await call(server.url, method, path, body, headers);
        expect(reply.status, `${method} ${path} with ${Object.keys(headers).join(', ')}`).toBe(200);
      }
    }
  });

  it('refuses a wrong key, a malformed Authorization, one bad key of two, and repeated credential headers', async () => {
    const path = '/v2/models/m/infer';
    expectRefused(await call(server.url, 'POST', path, INFER, { authorization: `Bearer ${FILE_KEY}x` }), 'wrong key', true);
    expectRefused(await call(server.url, 'POST', path, INFER, { 'x-api-key': sha256(CONFIG_KEY) }), 'the digest itself', true);
    expectRefused(await call(server.url, 'POST', path, INFER, { authorization: `Basic ${FILE_KEY}` }), 'Basic', true);
    expectRefused(
      await call(server.url, 'POST', path, INFER, { authorization: `Bearer ${FILE_KEY}`, 'x-api-key': 'not-a-key-0123456789' }),
      'one of two wrong',
      true,
    );
    // Node keeps the first Authorization and joins x-api-key values: a proxy may have read the other.
    for (const [name, first, second] of [
      ['Authorization', `Bearer ${FILE_KEY}`, 'Bearer wrong-0123456789abcdef'],
      ['x-api-key', FILE_KEY, FILE_KEY],
    ]) {
      const reply = await rawExchange(
        server.url,
        `GET /v2 HTTP/1.1\r\nhost: x\r\n${name}: ${first}\r\n${name}: ${second}\r\nconnection: close\r\n\r\n`,
      );
      expect([reply.status, reply.headers['www-authenticate']], name).toEqual([401, 'Bearer realm="onnxless"']);
    }
  });

  it('refuses a keyless upload before reading it: no 100 Continue', async () => {
    const reply = await rawExchange(
      server.url,
      'POST /v2/models/m/infer HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 5000\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n',
    );
    expect(reply.status).toBe(401);
  });

  it('keeps no key in its log', () => {
    const logged = JSON.stringify(server.logs);
    for (const key of [FILE_KEY, HASHED_KEY, CONFIG_KEY]) expect(logged).not.toContain(key);
    expect(server.logs.find((l) => l.message === 'listening')?.fields.auth).toEqual({ keys: 3, open: ['/ping'] });
  });
});

describe('open routes and keys from the environment', () => {
  it('opens /metrics and /ping as configured, or neither', async () => {
    const auth = { apiKeySha256: [sha256(CONFIG_KEY)] };
    for (const open of [['/ping', '/metrics'], []] as const) {
      const server = await startTestServer({ models: { m: { weights, eager: false } }, auth: { ...auth, open: [...open] } });
      try {
        for (const path of ['/ping', '/metrics']) {
          const reply = await call(server.url, 'GET', path);
          if ((open as readonly string[]).includes(path)) expect(reply.status, path).toBe(200);
          else expectRefused(reply, path);
        }
        expectRefused(await call(server.url, 'GET', '/v2'), '/v2');
      } finally {
        await server.drain(1000);
      }
    }
  });

  it('reads ONNXLESS_API_KEYS, ONNXLESS_API_KEYS_FILE and ONNXLESS_AUTH_OPEN, keeping digests only', async () => {
    const config = await resolveServeConfig(
      { models: [`m=${weights}`], modelDir: tempDir() },
      {
        ONNXLESS_API_KEYS: `${CONFIG_KEY}, sha256:${sha256(HASHED_KEY)}`,
        ONNXLESS_API_KEYS_FILE: keysFile,
        ONNXLESS_AUTH_OPEN: '/ping,/metrics',
      },
      tempDir(),
    );
    expect(config.auth).toEqual({
      apiKeySha256: [sha256(CONFIG_KEY), sha256(HASHED_KEY)],
      apiKeysFile: keysFile,
      open: ['/ping', '/metrics'],
    });
    expect(JSON.stringify(config)).not.toContain(CONFIG_KEY);
    const none = await resolveServeConfig(
      { models: [`m=${weights}`], modelDir: tempDir() },
      { ONNXLESS_API_KEYS: CONFIG_KEY, ONNXLESS_AUTH_OPEN: 'none' },
      tempDir(),
    );
    expect(none.auth?.open).toEqual([]);
  });

  it('refuses to start with a short key, an unreadable keys file, or auth and no key', async () => {
    await expect(
      resolveServeConfig({ models: [`m=${weights}`], modelDir: tempDir() }, { ONNXLESS_API_KEYS: 'short' }, tempDir()),
    ).rejects.toThrow(/ONNXLESS_API_KEYS: an API key must be at least 16 characters/);
    await expect(startTestServer({ models: { m: { weights } }, auth: { apiKeysFile: join(dir, 'missing') } })).rejects.toThrow(
      /cannot read the API keys file/,
    );
    await expect(startTestServer({ models: { m: { weights } }, auth: {} })).rejects.toThrow(/auth is configured but holds no key/);
  });
});

describe('x-content-type-options: nosniff', () => {
  it('is on every answer of a server without keys, errors and refused requests included', async () => {
    const server = await startTestServer({ models: { m: { weights }, small: { weights, maxBodyBytes: 16 } }, defaultModel: 'm' });
    try {
      await waitFor(async () => (await call(server.url, 'GET', '/ping')).status === 200, 30_000, '/ping 200');
      const replies = [
        ...(await Promise.all(ROUTES.map(([method, path, body]) => call(server.url, method, path, body)))),
        await call(server.url, 'GET', '/nowhere'),
        await call(server.url, 'DELETE', '/v2'),
        await call(server.url, 'POST', '/v2/models/m/infer', '{'),
        await call(server.url, 'POST', '/v2/models/small/infer', INFER),
      ];
      expect(replies.map((r) => r.status)).toEqual([...ROUTES.map(() => 200), 404, 405, 400, 413]);
      for (const reply of replies) expect(reply.headers['x-content-type-options']).toBe('nosniff');
      // Requests the HTTP parser refuses are answered outside the routes.
      for (const raw of ['GET / HTTP/1.1 junk\r\n\r\n', `GET / HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`]) {
        const reply = await rawExchange(server.url, raw);
        expect([400, 431]).toContain(reply.status);
        expect(reply.headers['x-content-type-options']).toBe('nosniff');
      }
    } finally {
      await server.drain(1000);
    }
  });
});
