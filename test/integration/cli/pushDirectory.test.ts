import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onnxruntimeVersion } from '../../../lib/core/onnx/onnxruntime';
import { readRegistryFile } from '../../../lib/core/registry';
import { httpApiEvent, jsonBody } from '../../support/httpApiEvent';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { runOnnxless } from '../../support/onnxlessCli';
import { denseLayerModels } from '../../support/onnxModels';
import { tempDir, testHandler } from '../../support/testHandler';

const BUCKET = 'pushed-models';
const REGISTRY = `service: push-test
custom:
  onnxless:
    # the test's own registry: push must keep this comment
    bucket:
      name: ${BUCKET}
    models: {}
`;

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
});
afterAll(async () => s3?.close());

const onnxless = (args: string[]) => runOnnxless(args, s3.serverEndpoint);

const dense = denseLayerModels(64, 32);

function modelDir(withData: boolean): string {
  const dir = join(tempDir('onnxless-push-'), 'dense');
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.onnx'), dense.external.model);
  if (withData) writeFileSync(join(dir, dense.external.weightsFile), dense.external.data);
  writeFileSync(join(dir, 'labels.txt'), 'a\nb\n');
  return dir;
}

describe('onnxless push <dir>', () => {
  it('uploads every file and the manifest, pins the manifest in the registry, and the entry serves', async () => {
    const config = join(tempDir('onnxless-push-'), 'serverless.yml');
    writeFileSync(config, REGISTRY);

    const { code, output } = await onnxless(['push', modelDir(true), '--model', 'dense', '--config', config]);

    expect(code, output).toBe(0);
    const entry = (await readRegistryFile(config)).models.dense!;
    expect(entry.weights).toBe(`s3://${BUCKET}/dense/1/`);
    expect(readFileSync(config, 'utf8')).toContain("# the test's own registry: push must keep this comment");
    const manifest = await (
      await s3.setupClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'dense/1/manifest.json' }))
    ).Body!.transformToString();
    expect(entry.sha256).toBe(createHash('sha256').update(manifest).digest('hex'));
    expect(output).toContain(`sha256  ${entry.sha256}`);
    expect((JSON.parse(manifest) as { files: Array<{ path: string }> }).files.map((f) => f.path)).toEqual([
      'labels.txt',
      'model.onnx',
      dense.external.weightsFile,
    ]);
    expect(entry.size).toBe(dense.external.model.length + dense.external.data.length + 4);

    const { handler } = testHandler({ name: 'dense', uri: entry.weights, sha256: entry.sha256 }, { s3Client: s3.client });
    const result = await handler(
      httpApiEvent('POST', '/v2/models/dense/infer', {
        body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 64], datatype: 'FP32', data: new Array(64).fill(0.5) }] }),
      }),
    );
    expect(result.statusCode, result.body).toBe(200);
    expect(jsonBody(result).outputs[0].shape).toEqual([1, 32]);
  });

  it('with --ort also uploads model.ort, listed in the manifest with the onnxruntime version that wrote it, and the entry serves', async () => {
    const config = join(tempDir('onnxless-push-'), 'serverless.yml');
    writeFileSync(config, REGISTRY);
    const file = join(tempDir('onnxless-push-'), 'dense.onnx');
    writeFileSync(file, dense.single);

    const { code, output } = await onnxless(['push', file, '--model', 'dense-ort', '--ort', '--config', config]);

    expect(code, output).toBe(0);
    const entry = (await readRegistryFile(config)).models['dense-ort']!;
    const manifest = JSON.parse(
      await (
        await s3.setupClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'dense-ort/1/manifest.json' }))
      ).Body!.transformToString(),
    ) as { ort?: { path: string; sha256: string; onnxruntime: string; level: string } };
    expect(manifest.ort).toMatchObject({ path: 'model.ort', onnxruntime: onnxruntimeVersion(), level: 'extended' });
    const ort = await (
      await s3.setupClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'dense-ort/1/model.ort' }))
    ).Body!.transformToByteArray();
    expect(createHash('sha256').update(ort).digest('hex')).toBe(manifest.ort!.sha256);
    expect(output).toContain(`(ORT format: onnxruntime ${onnxruntimeVersion()}, level extended)`);

    const { handler } = testHandler({ name: 'dense-ort', uri: entry.weights, sha256: entry.sha256 }, { s3Client: s3.client });
    const result = await handler(
      httpApiEvent('POST', '/v2/models/dense-ort/infer', {
        body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 64], datatype: 'FP32', data: new Array(64).fill(0.5) }] }),
      }),
    );
    expect(result.statusCode, result.body).toBe(200);
  });

  it('refuses a directory whose model.onnx onnxruntime cannot load without its external data, saying what to push', async () => {
    const config = join(tempDir('onnxless-push-'), 'serverless.yml');
    writeFileSync(config, REGISTRY);

    const { code, output } = await onnxless(['push', modelDir(false), '--model', 'dense', '--config', config]);

    expect(code).toBe(1);
    expect(output).toContain('is not a valid ONNX model: onnxruntime cannot load');
    expect(output).toContain('push the directory holding model.onnx and its external-data files');
    expect(readFileSync(config, 'utf8')).toBe(REGISTRY);
  });
});
