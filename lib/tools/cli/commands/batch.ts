import type { Command } from 'commander';
import { failedPercent, type BatchSummary } from '../../../core/batch/BatchSummary';
import { createS3Client } from '../../../core/sources/s3Client';
import { assertWithinJob, batchTargetOf, runPrefixes, type BatchTarget } from '../../batch/batchTarget';
import { BatchProgress } from '../../batch/BatchProgress';
import { assertBucketExists, listInputs } from '../../batch/listInputs';
import { lambdaInvoker, localLambdaClient } from '../../batch/lambdaInvoker';
import { runLocalBatch } from '../../batch/runLocalBatch';
import { writeSummary } from '../../batch/summaryFile';
import { batchStateMachineName } from '../../deploy/batchJobs';
import { functionName } from '../../deploy/lambdaFunction';
import { LOCAL_STACK, localS3Env } from '../../local/localStack';

interface BatchOptions {
  config: string;
  stage?: string;
  region?: string;
  local?: boolean;
  concurrency?: string;
  itemsPerInvocation?: string;
  toleratedFailurePercent?: string;
}

/**
 * `onnxless batch <model> <input> <output>`: the model over every object under the input prefix,
 * answers under the output prefix (docs/batch.md). On AWS: an execution of the model's deployed
 * state machine, followed to its end. With --local: the embedded executor against the local
 * stack's bucket and its Lambda endpoint. Both write `<output>_SUMMARY.json`, print it, and exit 1
 * when the failed share of the items is over the tolerance.
 */
export function registerBatch(program: Command, print: (text: string) => void = (t) => console.log(t)): void {
  program
    .command('batch')
    .description('run a model over every object under an S3 prefix, answers to another prefix')
    .argument('<model>', 'a model (or pipeline) of the registry')
    .argument('<input>', 's3://bucket/prefix/ of the inputs')
    .argument('<output>', 's3://bucket/prefix/ for the answers (<output><key relative to input>.json), outside the input prefix')
    .option('-c, --config <file>', 'the serverless.yml holding the service and its registry', 'serverless.yml')
    .option('--stage <stage>', "the deployed stage (default: provider.stage, else 'dev')")
    .option('--region <region>', 'AWS region (default: the SDK default chain, AWS_REGION)')
    .option('--local', 'run on the local stack of `npm start`: its bucket, its functions')
    .option('--concurrency <n>', "invocations at once (default: the entry's batch.concurrency, else 100)")
    .option('--items-per-invocation <n>', "objects per invocation (default: the entry's batch.itemsPerInvocation, else 20)")
    .option(
      '--tolerated-failure-percent <p>',
      "exit 1 past this share of failed items (default: the entry's batch.toleratedFailurePercent, else 1)",
    )
    .action(async (model: string, inputUri: string, outputUri: string, options: BatchOptions) => {
      // Refused before the registry is read or anything is listed.
      const prefixes = runPrefixes(inputUri, outputUri);
      const target = await batchTargetOf(options.config, model, options.local ? 'dev' : options.stage);
      const settings = {
        concurrency: wholeOption(options.concurrency, '--concurrency') ?? target.settings.concurrency,
        itemsPerInvocation: wholeOption(options.itemsPerInvocation, '--items-per-invocation') ?? target.settings.itemsPerInvocation,
        tolerated: percentOption(options.toleratedFailurePercent) ?? target.settings.toleratedFailurePercent,
      };
      // The SDK's default chain reads credentials from the environment: the local stack's fixed keys there.
      if (options.local) Object.assign(process.env, localS3Env());
      const progress = new BatchProgress();
      let summary: BatchSummary;
      if (options.local) {
        summary = await runLocal(target, prefixes, settings, progress);
      } else {
        assertWithinJob(target, prefixes);
        summary = await runAws(target, prefixes, options, progress);
      }
      progress.stop();
      const s3 = createS3Client();
      print(await writeSummary(s3, prefixes.output, summary));
      const failed = failedPercent(summary);
      if (failed > settings.tolerated) {
        print(`onnxless batch: ${failed.toFixed(2)} % of the items failed, over the tolerated ${settings.tolerated} %`);
        process.exitCode = 1;
      }
    });
}

async function runLocal(
  target: BatchTarget,
  prefixes: ReturnType<typeof runPrefixes>,
  settings: { concurrency: number; itemsPerInvocation: number },
  progress: BatchProgress,
): Promise<BatchSummary> {
  const s3 = createS3Client();
  await assertBucketExists(s3, prefixes.output, 'output');
  const items = await listInputs(s3, prefixes.input);
  // The emulator names each function as Lambda does: <service>-<stage>-<key>, stage dev (lib/tools/local/startStack.ts).
  const lambda = localLambdaClient(`http://127.0.0.1:${LOCAL_STACK.lambdaPort}`, LOCAL_STACK, LOCAL_STACK.region);
  return runLocalBatch({
    ...prefixes,
    items,
    invoke: lambdaInvoker(lambda, functionName(target.model, target)),
    concurrency: settings.concurrency,
    itemsPerInvocation: settings.itemsPerInvocation,
    onProgress: (counts) => progress.update(counts),
  });
}

async function runAws(
  target: BatchTarget,
  prefixes: ReturnType<typeof runPrefixes>,
  options: BatchOptions,
  progress: BatchProgress,
): Promise<BatchSummary> {
  const [{ SFNClient }, { findStateMachine, runOnAws }] = await Promise.all([
    import('@aws-sdk/client-sfn'),
    import('../../batch/awsBatch'),
  ]);
  const sfn = new SFNClient(options.region ? { region: options.region } : {});
  const s3 = createS3Client();
  await assertBucketExists(s3, prefixes.input, 'input');
  const stateMachineArn = await findStateMachine(sfn, batchStateMachineName(target.model, target));
  const { summary } = await runOnAws({ sfn, s3, stateMachineArn, ...prefixes, onProgress: (counts) => progress.update(counts) });
  return summary;
}

function wholeOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a whole number of at least 1, got '${value}'`);
  return n;
}

function percentOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new Error(`--tolerated-failure-percent: expected 0 to 100, got '${value}'`);
  return n;
}
