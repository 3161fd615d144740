import { runChild, type ChildResult } from '../lib/children';
import { row, side, type Log, type Row } from '../lib/rows';
import { BUCKET, type World } from '../lib/world';
import { pushManyModels } from '../../test/support/repositoryPush';
import { parseRepositoryIndex } from '../../lib/core/repository/RepositoryIndex';
import { GetObjectCommand } from '@aws-sdk/client-s3';

const PREFIX = `s3://${BUCKET}/repository/`;
/** Models in the repository: one to warm it, one measured cold, the rest loaded for the memory figure. */
const MODELS = 102;
const HITS = 50;

/**
 * Issue 29: a model repository's function against single-model functions, on the local S3
 * server, each run a fresh process (Lambda's sandbox):
 * - cold load of one small model in a warm repository function (its first request) against a
 *   cold single-model function's first answer for the same model (process start included: what
 *   a new model costs either way);
 * - a loaded model's request in the repository against the single-model function's warm request;
 * - resident memory per loaded model in the repository (RSS after 100 more loads, per model)
 *   against a whole single-model function's RSS (what each model costs as a function of its own).
 */
export async function repositoryScenario(world: World, reps: number, log: Log): Promise<Row[]> {
  const names = Array.from({ length: MODELS }, (_, i) => `m${i}`);
  await pushManyModels(world.s3.setupClient, PREFIX, names);
  const index = await world.s3.setupClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'repository/index.json' }));
  const measured = parseRepositoryIndex(await index.Body!.transformToString(), 'index').models.m1!;
  const repository: ChildResult[] = [];
  const single: ChildResult[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const cacheDir = world.scratch();
    repository.push(
      await runChild(
        'repositoryFunction',
        { warmModel: 'm0', coldModel: 'm1', hits: HITS, residentModels: names.slice(2) },
        {
          ...world.s3Env(),
          ONNXLESS_REPOSITORY_NAME: 'bench',
          ONNXLESS_REPOSITORY_PREFIX: PREFIX,
          ONNXLESS_CACHE_DIR: cacheDir,
          ONNXLESS_LOG_FORMAT: 'compact',
        },
      ),
    );
    world.cleanup(cacheDir);
    const singleDir = world.scratch();
    single.push(
      await runChild(
        'singleModelFunction',
        { model: 'm1', hits: HITS },
        {
          ...world.s3Env(),
          ONNXLESS_MODEL_NAME: 'm1',
          ONNXLESS_MODEL_URI: `${PREFIX}${measured.directory}`,
          ONNXLESS_MODEL_SHA256: measured.sha256,
          ONNXLESS_CACHE_DIR: singleDir,
          ONNXLESS_LOG_FORMAT: 'compact',
        },
      ),
    );
    world.cleanup(singleDir);
    log(
      `repository rep ${rep + 1}/${reps}: cold load ${Math.round(repository.at(-1)!.elapsedMs)} ms in the warm repository, ${Math.round(single.at(-1)!.elapsedMs)} ms cold single-model`,
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const hits = (results: ChildResult[]) => results.map((r) => median(r.hitMs as number[]));
  return [
    row({
      scenario: 'repository',
      model: 'add-constant',
      metric: "a new model's first answer: cold load in a warm repository function vs a cold single-model function",
      unit: 'ms',
      candidate: side(
        'repository, cold load',
        repository.map((r) => r.elapsedMs),
      ),
      baseline: side(
        'single-model function, cold start',
        single.map((r) => r.elapsedMs),
      ),
      target: 'ratio < 1',
      check: (r) => r.ratio < 1,
    }),
    row({
      scenario: 'repository',
      model: 'add-constant',
      metric: `a loaded model's request (median of ${HITS})`,
      unit: 'ms',
      candidate: side('repository, hit', hits(repository)),
      baseline: side('single-model function, warm', hits(single)),
      target: 'ratio <= 1.2',
      check: (r) => r.ratio <= 1.2,
    }),
    row({
      scenario: 'repository',
      model: 'add-constant',
      metric: `resident memory per loaded model (${MODELS - 2} loaded) vs a whole function's`,
      unit: 'MB',
      candidate: side(
        'repository, RSS per loaded model',
        repository.map((r) => (r.rssPerModelBytes as number) / 2 ** 20),
      ),
      baseline: side(
        'single-model function, RSS',
        single.map((r) => (r.rssBytes as number) / 2 ** 20),
      ),
    }),
  ];
}
