import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { readRegistryFile, setModelEntry, MODEL_NAME_PATTERN } from '../../registry';
import { inspectOnnxFile } from '../../store/inspectOnnxFile';
import { checkBucket, nextVersion, pushWeights, weightsKey } from '../../store/pushWeights';
import { storeClient, storeEnv, withStoreOptions, type StoreOptions } from './storeOptions';

/** A progress bar only pays off for files that take a while to send. */
const PROGRESS_BAR_BYTES = 8 * 1024 * 1024;

export function registerPush(program: Command): void {
  withStoreOptions(
    program
      .command('push')
      .description('upload an .onnx file to the model bucket and add or update its registry entry')
      .argument('<file>', 'the .onnx model file')
      .requiredOption('-m, --model <name>', 'model name (lowercase letters, digits, hyphens)')
      .option('--version <n>', 'version number (default: the next free one)'),
  ).action(async (file: string, options: StoreOptions & { model: string; version?: string }) => {
    if (!MODEL_NAME_PATTERN.test(options.model)) {
      throw new Error(`--model '${options.model}': expected 1-40 lowercase letters, digits or hyphens`);
    }
    const registry = await readRegistryFile(options.config, { stage: options.stage, env: storeEnv(options) });
    const facts = await inspectOnnxFile(file);
    const { client, endpoint } = storeClient(options);
    const bucket = registry.bucket.name;
    await checkBucket(client, bucket, endpoint);
    const version = options.version === undefined ? await nextVersion(client, bucket, options.model) : Number(options.version);
    if (!Number.isSafeInteger(version) || version < 1) throw new Error(`--version '${options.version}': expected a positive integer`);
    const key = weightsKey(options.model, version);

    const bar = facts.size >= PROGRESS_BAR_BYTES ? new SingleBar({ format: 'uploading [{bar}] {percentage}% {value}/{total} bytes' }, Presets.shades_classic) : undefined;
    bar?.start(facts.size, 0);
    await pushWeights(client, facts, { bucket, key }, (sent) => bar?.update(sent));
    bar?.stop();

    // The entry names the bucket through the registry's own setting, so it follows the stage.
    const weights = 's3://${self:custom.onnxless.bucket.name}/' + key;
    await setModelEntry(options.config, options.model, { weights, sha256: facts.sha256, size: facts.size }, { stage: options.stage, env: storeEnv(options) });
    console.log(`pushed ${file} -> s3://${bucket}/${key}`);
    console.log(`  size    ${facts.size} bytes`);
    console.log(`  sha256  ${facts.sha256}`);
    console.log(`  inputs  ${facts.inputs.join(', ')}; outputs ${facts.outputs.join(', ')}`);
    console.log(`registry entry '${options.model}' updated in ${options.config}`);
  });
}
