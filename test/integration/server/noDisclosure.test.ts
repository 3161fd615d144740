import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaHandler } from '../../../lib/lambda/createLambdaHandler';
import { NO_SINK } from '../../../lib/core/observability/sinks';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { allRoutes, pageRoutes, type ConcreteRoute } from '../../../lib/core/http/routeTable';
import { bodyBytes, httpApiEvent, type Result } from '../../support/httpApiEvent';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { identityModel, writeModel } from '../../support/onnxModels';
import { call, startTestServer, tempDir, waitFor } from './helpers';

/**
 * Nothing about where the weights live leaves the process: models that fail in each way a load
 * can fail (an S3 key that does not exist, a path that does not exist, a file that is not ONNX, a
 * file whose sha256 is not its pin) and every route of every way of serving: no body names the
 * bucket, the key, a directory or either hash. The log keeps all of it.
 */
const BUCKET = 'secret-bucket-4821';
const PREFIX = 'private-prefix-93';
const dir = tempDir('onnxless-secret-dir-');
const SECRET_DIR = dir.split('/').at(-1) as string;
const good = identityModel();
mkdirSync(join(dir, 'pinned'));
const pinnedPath = writeModel(join(dir, 'pinned', 'model.onnx'), good);
const ACTUAL_SHA = createHash('sha256').update(good).digest('hex');
const WRONG_PIN = 'c0ffee'.padEnd(64, '7');
mkdirSync(join(dir, 'broken'));
writeFileSync(join(dir, 'broken', 'model.onnx'), 'not an onnx file');

const MODELS = {
  vault: { weights: `s3://${BUCKET}/${PREFIX}/vault/1/model.onnx` },
  absent: { weights: join(dir, 'absent', 'model.onnx') },
  broken: { weights: join(dir, 'broken', 'model.onnx') },
  pinned: { weights: pinnedPath, sha256: WRONG_PIN },
} as const;
const SECRETS = [BUCKET, PREFIX, SECRET_DIR, ACTUAL_SHA, WRONG_PIN];

const INFER = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }] });

/** Every route the server and the model functions answer, for every model. */
function everyRoute(): ConcreteRoute[] {
  const models = Object.fromEntries(Object.keys(MODELS).map((m) => [m, { versions: ['1'], predict: true }]));
  return [...allRoutes(models), ...pageRoutes().map((r) => ({ ...r, path: r.path.replace('{asset}', 'app.js') }))];
}

function disclosed(text: string): string[] {
  return SECRETS.filter((s) => text.toLowerCase().includes(s.toLowerCase()));
}

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
});
afterAll(async () => {
  await s3?.close();
});

describe('no storage location or pin in any answer', () => {
  it('serve: every route, /ping, /metrics and /invocations, with every model failing', async () => {
    const server = await startTestServer({ models: MODELS, defaultModel: 'vault' }, { s3Client: s3.client });
    try {
      // Every eager load has failed once: /ping names each model's failure.
      await waitFor(
        async () => {
          const models = (await call(server.url, 'GET', '/ping')).json<{ models?: Record<string, string> }>().models ?? {};
          return Object.keys(MODELS).every((m) => models[m] !== undefined && models[m] !== 'loading');
        },
        30_000,
        'every load to fail',
      );
      const routes = [...everyRoute(), { method: 'GET', path: '/ping' }, { method: 'GET', path: '/metrics' }];
      routes.push({ method: 'POST', path: '/invocations' });
      const seen: string[] = [];
      for (const { method, path } of routes) {
        const reply = await call(server.url, method, path, method === 'POST' ? INFER : undefined);
        const text = `${JSON.stringify(reply.headers)}\n${reply.body.toString('utf8')}`;
        expect(disclosed(text), `${method} ${path} (${reply.status}): ${text}`).toEqual([]);
        seen.push(`${reply.status}`);
      }
      // The walk met the failures it is about: 503s, the loads' own.
      expect(seen.filter((s) => s === '503').length).toBeGreaterThanOrEqual(Object.keys(MODELS).length * 3);
      // The operator still reads where and why, in the log.
      const logged = JSON.stringify(server.logs);
      for (const secret of [BUCKET, SECRET_DIR, WRONG_PIN]) expect(logged).toContain(secret);
    } finally {
      await server.drain(5000);
    }
  });

  it('the Lambda handler: every route and a direct invoke, for each failing model', async () => {
    for (const [name, entry] of Object.entries(MODELS)) {
      const raw = createLambdaHandler(
        {
          name,
          uri: entry.weights,
          version: '1',
          sha256: 'sha256' in entry ? entry.sha256 : undefined,
          cacheDir: tempDir(),
          eager: false,
          session: {},
          limits: DEFAULT_LIMITS,
        },
        { s3Client: s3.client, sink: NO_SINK },
      );
      let failures = 0;
      for (const { method, path } of everyRoute()) {
        const result = (await raw(httpApiEvent(method, path, method === 'POST' ? { body: INFER } : {}))) as Result;
        const text = `${JSON.stringify(result.headers)}\n${bodyBytes(result).toString('utf8')}`;
        expect(disclosed(text), `${name}: ${method} ${path} (${result.statusCode}): ${text}`).toEqual([]);
        if (result.statusCode === 503) failures++;
      }
      expect(failures, name).toBeGreaterThanOrEqual(3);
      // A direct invoke's error reaches the SDK caller as its name and message.
      const thrown = await raw(JSON.parse(INFER)).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(thrown, name).toBeInstanceOf(Error);
      const text = `${(thrown as Error).name}: ${(thrown as Error).message} ${JSON.stringify(thrown)}`;
      expect(disclosed(text), `${name}: direct invoke: ${text}`).toEqual([]);
    }
  });
});
