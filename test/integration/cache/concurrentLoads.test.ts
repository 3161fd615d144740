import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeightsCache } from '../../../lib/core/cache/WeightsCache';
import { modelSourceFor } from '../../../lib/core/sources/modelUri';
import { pushModel } from '../../../lib/tools/store/pushModel';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { addConstantFacts } from '../../support/repositoryModels';
import { tempDir } from '../../support/testHandler';

const BUCKET = 'concurrent-loads';
let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
});
afterAll(async () => s3?.close());

/**
 * Loads of one model into one cache folder at once: what a repository does when a model's
 * entry is retired while its load is in flight and the next request loads it again, and what
 * processes sharing a cache (the local stack's emulated functions) do. Each writer stages into
 * temp names of its own and renames into place, so none may see another's file vanish.
 */
describe('concurrent loads of one model into one cache', () => {
  it('all succeed with the same verified directory, round after round, and leave no temp file behind', async () => {
    const facts = addConstantFacts(tempDir('onnxless-concurrent-'), 'same', 7);
    await pushModel(s3.client, facts, { bucket: BUCKET, prefix: 'same/1/' });
    const uri = `s3://${BUCKET}/same/1/`;

    for (let round = 0; round < 5; round++) {
      const dir = tempDir('onnxless-concurrent-cache-');
      // Separate caches over one folder: no single-flight between them, as between processes.
      const loads = Array.from({ length: 8 }, () => new WeightsCache({ dir }).fetch(modelSourceFor(uri, s3.client), facts.sha256));
      const results = await Promise.allSettled(loads);

      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      const paths = new Set(results.map((r) => (r as PromiseFulfilledResult<{ path: string }>).value.path));
      expect(paths.size).toBe(1);
      const [path] = [...paths];
      expect(readFileSync(path!).equals(readFileSync(facts.files[0]!.from))).toBe(true);
      const leftovers = readdirSync(dir, { recursive: true }).filter((name) => /\.partial|\.assembling-/.test(String(name)));
      expect(leftovers).toEqual([]);
      expect(readdirSync(join(dir, readdirSync(dir)[0]!, 'files')).sort()).toContain('manifest.json');
    }
  });
});
