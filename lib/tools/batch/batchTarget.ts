import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { BatchInputError } from '../../core/batch/errors';
import { assertOutputOutsideInput, formatS3Prefix, parseS3Prefix, type S3Prefix } from '../../core/batch/S3Prefix';
import { BATCH_DEFAULTS, prefixInside, splitS3Prefix, type BatchJob } from '../../core/registry/batch';
import { readRegistryFile } from '../../core/registry/index';

/** What `onnxless batch` runs: the model's function, its job settings, where the registry allows it to read and write. */
export interface BatchTarget {
  model: string;
  service: string;
  stage: string;
  /** The entry's `batch:`; absent when the entry has none (only `--local` runs then). */
  job?: BatchJob;
  settings: { concurrency: number; itemsPerInvocation: number; toleratedFailurePercent: number };
}

/** The model (or pipeline) of the registry at `config`, with its batch settings. */
export async function batchTargetOf(config: string, model: string, stage?: string): Promise<BatchTarget> {
  const text = await readFile(config, 'utf8');
  const yaml = parse(text) as { service?: unknown; provider?: { stage?: unknown } } | null;
  const service = typeof yaml?.service === 'string' ? yaml.service : (yaml?.service as { name?: unknown } | undefined)?.name;
  if (typeof service !== 'string' || service.includes('${')) throw new BatchInputError(`${config}: no literal 'service:' name`);
  const literalStage = typeof yaml?.provider?.stage === 'string' && !yaml.provider.stage.includes('${') ? yaml.provider.stage : undefined;
  const resolvedStage = stage ?? literalStage ?? 'dev';
  const registry = await readRegistryFile(config, { stage: resolvedStage });
  const pipelines = registry.pipelines ?? {};
  // Own entries only: `__proto__` names no model, whatever Object.prototype holds.
  const entry = Object.hasOwn(registry.models, model)
    ? registry.models[model]
    : Object.hasOwn(pipelines, model)
      ? pipelines[model]
      : undefined;
  if (!entry) {
    const names = [...Object.keys(registry.models), ...Object.keys(pipelines)];
    throw new BatchInputError(`no model '${model}' in ${config}; models: ${names.join(', ') || 'none'}`);
  }
  if ('runtime' in entry && entry.runtime === 'gpu')
    throw new BatchInputError(`model '${model}' runs on a SageMaker endpoint (runtime: gpu): batch jobs run Lambda functions`);
  const job = entry.batch;
  return {
    model,
    service,
    stage: resolvedStage,
    job,
    settings: {
      concurrency: job?.concurrency ?? BATCH_DEFAULTS.concurrency,
      itemsPerInvocation: job?.itemsPerInvocation ?? BATCH_DEFAULTS.itemsPerInvocation,
      toleratedFailurePercent: job?.toleratedFailurePercent ?? BATCH_DEFAULTS.toleratedFailurePercent,
    },
  };
}

/** The run's prefixes, parsed; an output prefix inside the input prefix refused before anything runs. */
export function runPrefixes(inputUri: string, outputUri: string): { input: S3Prefix; output: S3Prefix } {
  const input = parseS3Prefix(inputUri, 'input');
  const output = parseS3Prefix(outputUri, 'output');
  assertOutputOutsideInput(input, output);
  return { input, output };
}

/** On AWS the state machine's role may touch only the registry's prefixes: a run elsewhere would fail on access, so it is refused here. */
export function assertWithinJob(target: BatchTarget, prefixes: { input: S3Prefix; output: S3Prefix }): void {
  if (!target.job)
    throw new BatchInputError(
      `model '${target.model}' has no batch: in the registry, so no state machine was deployed; run with --local, or add batch: and deploy`,
    );
  for (const [what, given, allowed] of [
    ['input', prefixes.input, splitS3Prefix(target.job.input)],
    ['output', prefixes.output, splitS3Prefix(target.job.output)],
  ] as const) {
    if (!prefixInside(given, allowed))
      throw new BatchInputError(
        `the ${what} prefix ${formatS3Prefix(given)} is outside ${formatS3Prefix(allowed)}, the only one the deployed job may use (batch.${what})`,
      );
  }
}
