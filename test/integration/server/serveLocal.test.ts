import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { call, REPO, spawnServer, tempDir, waitFor, type SpawnedServer } from './helpers';
import { writeModels } from './models';

/**
 * The README's serve lines, as a user runs them from a project whose bucket `npm start` has
 * seeded: `npx onnxless serve --local` with no other flag serves ./serverless.yml from the local
 * stack's S3 server. The project here is a temporary folder with a serverless.yml of its own,
 * and its "local stack" an S3 server on a free port (ONNXLESS_LOCAL_S3_PORT), data in a temp dir.
 */
describe('npx onnxless serve --local, in a project folder after npm start', () => {
  let s3: LocalS3;
  let project: string;
  let localEnv: Record<string, string>;
  const started: SpawnedServer[] = [];

  beforeAll(async () => {
    s3 = await startLocalS3(['models-dev']);
    await s3.put('models-dev', 'tiny/2/model.onnx', readFileSync(writeModels(tempDir()).batchable));
    project = tempDir('onnxless-project-');
    writeFileSync(
      join(project, 'serverless.yml'),
      [
        'service: demo',
        'provider: { name: aws, stage: dev }',
        'custom:',
        '  onnxless:',
        "    bucket: { name: 'models-${sls:stage}' }",
        '    models:',
        '      tiny: { weights: s3://models-dev/tiny/2/model.onnx }',
      ].join('\n'),
    );
    const localDir = join(project, '.local');
    mkdirSync(localDir);
    localEnv = { ONNXLESS_LOCAL_DIR: localDir, ONNXLESS_LOCAL_S3_PORT: new URL(s3.serverEndpoint).port, ONNXLESS_MODEL_DIR: tempDir() };
  });

  afterAll(async () => {
    for (const s of started) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await s3?.close();
  });

  /** The bin from the repository, run in the project folder, as npx runs a project's bin. */
  async function serve(args: string[]): Promise<SpawnedServer> {
    const cli = join(REPO, 'bin/onnxless.mjs');
    const server = await spawnServer(
      ['node', cli, 'serve', ...args, '--port', '0', '--host', '127.0.0.1', '--workers', '1'],
      localEnv,
      30_000,
      project,
    );
    started.push(server);
    return server;
  }

  it('serves ./serverless.yml from the local S3 server, with the version from the weights key', async () => {
    const server = await serve(['--local']);
    await waitFor(async () => (await call(server.url, 'GET', '/ping')).status === 200, 30_000, '/ping 200');

    const meta = await call(server.url, 'GET', '/v2/models/tiny');
    const ready = await call(server.url, 'GET', '/v2/models/tiny/versions/2/ready');
    const other = await call(server.url, 'GET', '/v2/models/tiny/versions/99');
    const infer = await call(server.url, 'POST', '/v2/models/tiny/versions/2/infer', {
      inputs: [
        { name: 'x', datatype: 'FP32', shape: [1, 16], data: Array.from({ length: 16 }, (_, i) => i / 16) },
        { name: 'ids', datatype: 'INT32', shape: [1, 4], data: [1, 2, 3, 4] },
      ],
    });

    expect(meta.json()).toMatchObject({ name: 'tiny', versions: ['2'] });
    expect(ready.status).toBe(200);
    expect(other.status).toBe(404);
    expect(other.json()).toHaveProperty('error');
    expect(infer.status).toBe(200);
    expect(infer.json()).toMatchObject({ model_name: 'tiny', model_version: '2' });
    // The stack's own cache, not /tmp/onnxless.
    expect(server.stdout()).toContain('"message":"model loaded","model":"tiny"');
  });

  it('names --local when a local stack runs here and the weights are in S3 but the flag is missing', async () => {
    // The lock file of a running `npm start` (this test process stands in for it).
    writeFileSync(join(localEnv.ONNXLESS_LOCAL_DIR!, 'stack.lock'), `${process.pid}\n`);
    const server = await serve([]);
    await waitFor(() => server.stderr().includes('add --local'), 10_000, 'the --local hint');
    expect(server.stderr()).toMatch(/"level":"WARN","message":"a local stack is running here \(npm start, pid \d+\): add --local/);
  });
});
