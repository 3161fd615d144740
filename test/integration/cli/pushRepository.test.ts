import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRepositoryIndex } from '../../../lib/core/repository/RepositoryIndex';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { runOnnxless } from '../../support/onnxlessCli';
import { addConstantModel } from '../../support/repositoryModels';
import { tempDir } from '../../support/testHandler';

const BUCKET = 'cli-repository';
const REGISTRY = `service: push-repository-test
custom:
  onnxless:
    bucket:
      name: ${BUCKET}
    models:
      customers:
        kind: repository
        prefix: s3://\${self:custom.onnxless.bucket.name}/customers/
        indexTtlSeconds: 3
`;

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
});
afterAll(async () => s3?.close());

const onnxless = (args: string[]) => runOnnxless(args, s3.serverEndpoint);

describe('onnxless push --repository', () => {
  it('pushes into the repository and lists the model in its index, leaving serverless.yml alone; two at once both listed', async () => {
    const dir = tempDir('onnxless-push-repo-');
    const config = join(dir, 'serverless.yml');
    writeFileSync(config, REGISTRY);
    const files = [1, 2].map((c) => {
      const path = join(dir, `plus${c}.onnx`);
      writeFileSync(path, addConstantModel(c));
      return path;
    });

    const runs = await Promise.all(
      files.map((file, i) => onnxless(['push', file, '--model', `plus${i + 1}`, '--repository', 'customers', '--config', config])),
    );

    for (const run of runs) expect(run.code, run.output).toBe(0);
    expect(runs[0]!.output).toContain(`pushed ${files[0]} -> s3://${BUCKET}/customers/plus1/1/`);
    expect(runs[0]!.output).toContain("next: nothing to deploy: repository 'customers' serves 'plus1' within 3 s");
    const index = await s3.setupClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'customers/index.json' }));
    const models = parseRepositoryIndex(await index.Body!.transformToString(), 'index').models;
    expect(Object.keys(models)).toEqual(['plus1', 'plus2']);
    expect(models.plus1!.directory).toBe('plus1/1/');
    expect(readFileSync(config, 'utf8')).toBe(REGISTRY);

    const removed = await onnxless(['remove', 'plus1', '--repository', 'customers', '--config', config]);
    expect(removed.code, removed.output).toBe(0);
    expect(removed.output).toContain(`removed 'plus1' from s3://${BUCKET}/customers/index.json (its files stay)`);
    const after = await s3.setupClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'customers/index.json' }));
    expect(Object.keys(parseRepositoryIndex(await after.Body!.transformToString(), 'index').models)).toEqual(['plus2']);
    const again = await onnxless(['remove', 'plus1', '--repository', 'customers', '--config', config]);
    expect(again.code).not.toBe(0);
    expect(again.output).toContain(`model 'plus1' is not in s3://${BUCKET}/customers/index.json: nothing to remove`);
  });

  it('names the repositories there are when the entry is not one', async () => {
    const dir = tempDir('onnxless-push-repo-');
    const config = join(dir, 'serverless.yml');
    writeFileSync(config, REGISTRY);
    const file = join(dir, 'm.onnx');
    writeFileSync(file, addConstantModel(1));
    const { code, output } = await onnxless(['push', file, '--model', 'm', '--repository', 'nope', '--config', config]);
    expect(code).not.toBe(0);
    expect(output).toContain("--repository 'nope': " + config + ' has no kind: repository entry of that name; repositories: customers');
  });
});
