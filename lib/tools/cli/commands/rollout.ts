import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { readRegistryFile } from '../../../core/registry';
import {
  createRolloutClients,
  formatRollback,
  formatRolloutStatus,
  readRolloutStatus,
  rollBack,
  rolloutTarget,
  RolloutError,
  type RolloutClientOptions,
  type RolloutClients,
  type RolloutTarget,
} from '../../rollout/index';

interface RolloutOptions {
  config: string;
  stage?: string;
  region?: string;
}

/** What the commands need from outside: AWS clients and a place to print (tests pass a recorded fake and a buffer). */
export interface RolloutDeps {
  clients: (options: RolloutClientOptions) => RolloutClients;
  print: (text: string) => void;
}

const DEFAULT_DEPS: RolloutDeps = { clients: createRolloutClients, print: (text) => console.log(text) };

function withReleaseOptions(command: Command): Command {
  return command
    .argument('<model>', 'a model of the registry')
    .option('-c, --config <file>', 'the serverless.yml holding the service and its registry', 'serverless.yml')
    .option('--stage <stage>', "the deployed stage (default: provider.stage, else 'dev')")
    .option('--region <region>', 'AWS region (default: the SDK default chain, AWS_REGION)');
}

/** `onnxless rollout status <model>`: where live sends traffic, the newest deployment, the alarms. */
export function registerRollout(program: Command, deps: RolloutDeps = DEFAULT_DEPS): void {
  const rollout = program.command('rollout').description('watch how a new model version reaches its traffic');
  withReleaseOptions(
    rollout.command('status').description("a model's live alias split, its newest CodeDeploy deployment and its alarms"),
  ).action(async (model: string, options: RolloutOptions) => {
    const target = await targetOf(model, options);
    deps.print(formatRolloutStatus(await readRolloutStatus(deps.clients(clientOptions(options)), target)));
  });
}

/** `onnxless rollback <model>`: stop a shift in progress, or point live back at the version before. */
export function registerRollback(program: Command, deps: RolloutDeps = DEFAULT_DEPS): void {
  withReleaseOptions(program.command('rollback').description("put a model's live alias back on the version it served before")).action(
    async (model: string, options: RolloutOptions) => {
      const target = await targetOf(model, options);
      deps.print(formatRollback(target, await rollBack(deps.clients(clientOptions(options)), target)));
    },
  );
}

function clientOptions(options: RolloutOptions): RolloutClientOptions {
  return options.region ? { region: options.region } : {};
}

/** The service name and the model's entry come from the same serverless.yml the deploy used. */
async function targetOf(model: string, options: RolloutOptions): Promise<RolloutTarget> {
  const text = await readFile(options.config, 'utf8');
  const config = parse(text) as { service?: unknown; provider?: { stage?: unknown } } | null;
  const service = typeof config?.service === 'string' ? config.service : (config?.service as { name?: unknown } | undefined)?.name;
  if (typeof service !== 'string' || service.includes('${')) throw new RolloutError(`${options.config}: no literal 'service:' name`, model);
  const literalStage =
    typeof config?.provider?.stage === 'string' && !config.provider.stage.includes('${') ? config.provider.stage : undefined;
  const stage = options.stage ?? literalStage ?? 'dev';
  const registry = await readRegistryFile(options.config, { stage });
  // Own entries only: `__proto__` or `constructor` names no model, whatever Object.prototype holds.
  const entry = Object.hasOwn(registry.models, model) ? registry.models[model] : undefined;
  if (!entry)
    throw new RolloutError(`no model '${model}' in ${options.config}; models: ${Object.keys(registry.models).join(', ') || 'none'}`, model);
  if (entry.runtime === 'gpu')
    throw new RolloutError(`model '${model}' runs on a SageMaker endpoint (runtime: gpu), which has no live alias`, model);
  return rolloutTarget(service, stage, model, entry);
}
