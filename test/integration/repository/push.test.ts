import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRepositoryIndex } from '../../../lib/core/repository/RepositoryIndex';
import { pushToRepository, removeFromRepository } from '../../../lib/tools/store/pushToRepository';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { addConstantFacts } from '../../support/repositoryModels';
import { tempDir } from '../../support/testHandler';

const BUCKET = 'repo-push';
let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
});
afterAll(async () => s3?.close());

async function indexAt(prefixKey: string) {
  const out = await s3.setupClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${prefixKey}index.json` }));
  return parseRepositoryIndex(await out.Body!.transformToString(), 'index');
}

describe('pushToRepository', () => {
  it('uploads the model directory, then lists it with its pin; a second push is the next version', async () => {
    const root = tempDir('onnxless-repo-push-');
    const facts = addConstantFacts(root, 'a', 1);
    const prefix = `s3://${BUCKET}/one/`;

    expect(await pushToRepository(s3.client, facts, { prefix, name: 'a' })).toEqual({ directory: 'a/1/', version: 1, attempts: 1 });
    const manifest = await s3.setupClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'one/a/1/manifest.json' }));
    expect(await manifest.Body!.transformToString()).toBe(facts.manifestText);
    expect((await indexAt('one/')).models).toEqual({ a: { directory: 'a/1/', sha256: facts.sha256, size: facts.size } });

    const again = addConstantFacts(root, 'a2', 2);
    expect(await pushToRepository(s3.client, again, { prefix, name: 'a' })).toMatchObject({ directory: 'a/2/', version: 2 });
    expect((await indexAt('one/')).models.a).toEqual({ directory: 'a/2/', sha256: again.sha256, size: again.size });
  });

  it('two concurrent pushes both end in the index, the loser retrying on the 412', async () => {
    const root = tempDir('onnxless-repo-push-');
    const prefix = `s3://${BUCKET}/race/`;
    await pushToRepository(s3.client, addConstantFacts(root, 'seed', 0), { prefix, name: 'seed' });
    const before = s3.proxy.requests.length;

    const pushes = await Promise.all(
      ['left', 'right'].map((name, i) =>
        pushToRepository(s3.client, addConstantFacts(root, name, i + 1), { prefix, name }, { backoffMs: 1 }),
      ),
    );

    expect(Object.keys((await indexAt('race/')).models)).toEqual(['left', 'right', 'seed']);
    // Both read the index before either wrote it: one wrote, the other was refused once and wrote after.
    const indexPuts = s3.proxy.requests.slice(before).filter((r) => r.method === 'PUT' && r.path.endsWith('/race/index.json'));
    expect(indexPuts.map((r) => r.status).sort()).toEqual(pushes.some((p) => p.attempts > 1) ? [200, 200, 412] : [200, 200]);
  });

  it('two concurrent pushes of the same model take versions of their own, each directory whole, the index listing one', async () => {
    const root = tempDir('onnxless-repo-push-');
    const prefix = `s3://${BUCKET}/same/`;
    await pushToRepository(s3.client, addConstantFacts(root, 'v1', 1), { prefix, name: 'a' });
    const facts = [addConstantFacts(root, 'left', 10), addConstantFacts(root, 'right', 20)];

    const pushes = await Promise.all(facts.map((f) => pushToRepository(s3.client, f, { prefix, name: 'a' }, { backoffMs: 1 })));

    expect(pushes.map((p) => p.version).sort()).toEqual([2, 3]);
    for (const [i, push] of pushes.entries()) {
      const manifest = await s3.setupClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: `same/${push.directory}manifest.json` }));
      expect(await manifest.Body!.transformToString()).toBe(facts[i]!.manifestText);
    }
    const listed = (await indexAt('same/')).models.a!;
    const winner = pushes.findIndex((p) => p.directory === listed.directory);
    expect(listed).toEqual({ directory: pushes[winner]!.directory, sha256: facts[winner]!.sha256, size: facts[winner]!.size });
    // Each version was claimed once; the second claim of version 2 was refused.
    const claims = s3.proxy.requests.filter(
      (r) => r.method === 'PUT' && r.path.startsWith(`/${BUCKET}/same/a/`) && r.path.endsWith('/.claimed'),
    );
    expect(claims.map((r) => `${r.path.split('/').at(-2)} ${r.status}`).sort()).toEqual(['1 200', '2 200', '2 412', '3 200']);
  });

  it('eight pushes at once all end in the index', async () => {
    const root = tempDir('onnxless-repo-push-');
    const prefix = `s3://${BUCKET}/many/`;
    const names = Array.from({ length: 8 }, (_, i) => `m${i}`);
    const pushes = await Promise.all(
      names.map((name, i) => pushToRepository(s3.client, addConstantFacts(root, name, i), { prefix, name }, { backoffMs: 1 })),
    );
    expect(Object.keys((await indexAt('many/')).models)).toEqual(names);
    const refused = s3.proxy.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/many/index.json') && r.status === 412).length;
    expect(refused).toBe(pushes.reduce((sum, p) => sum + p.attempts - 1, 0));
  });

  it('removes a model from the index, saying whether it was listed', async () => {
    const root = tempDir('onnxless-repo-push-');
    const prefix = `s3://${BUCKET}/remove/`;
    await pushToRepository(s3.client, addConstantFacts(root, 'x', 1), { prefix, name: 'x' });
    expect(await removeFromRepository(s3.client, prefix, 'x')).toBe(true);
    expect(await removeFromRepository(s3.client, prefix, 'x')).toBe(false);
    expect((await indexAt('remove/')).models).toEqual({});
  });
});
