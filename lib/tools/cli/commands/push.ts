import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { readRegistryFile, setModelEntry, MODEL_NAME_PATTERN } from '../../../core/registry';
import { inspectModel, modelFilesAt } from '../../store/inspectModel';
import { checkBucket, modelPrefix, nextVersion, pushModel } from '../../store/pushModel';
import { storeClient, storeEnv, withStoreOptions } from './storeOptions';
import { pushIntoRepository, type PushOptions } from './pushIntoRepository';

/** A progress bar only pays off for models that take a while to send. */
const PROGRESS_BAR_BYTES = 8 * 1024 * 1024;

export function registerPush(program: Command): void {
  withStoreOptions(
    program
      .command('push')
      .description(
        'upload a model to the bucket as a model directory (model.onnx, external data, companion files, manifest) ' +
          'and add or update its registry entry',
      )
      .argument('<file|dir>', 'an .onnx file, or a directory holding model.onnx and the files that go with it')
      .requiredOption('-m, --model <name>', 'model name (lowercase letters, digits, hyphens)')
      .option('--version <n>', 'version number (default: the next free one)')
      .option(
        '--ort',
        "also write the model in onnxruntime's ORT format (model.ort, pinned in the manifest with the onnxruntime version " +
          'that wrote it): functions on that version create their session from it; see docs/benchmarks.md for which models gain',
      )
      .option(
        '--repository <entry>',
        "push into the kind: repository entry's prefix and list it in its index.json (no registry edit, no deploy)",
      ),
  ).action(async (path: string, options: PushOptions) => {
    if (!MODEL_NAME_PATTERN.test(options.model)) {
      throw new Error(`--model '${options.model}': expected 1-40 lowercase letters, digits or hyphens`);
    }
    const registry = await readRegistryFile(options.config, { stage: options.stage, env: storeEnv(options) });
    if (options.repository !== undefined) return pushIntoRepository(path, registry, options);
    const { files } = await modelFilesAt(path);
    const model = await inspectModel(files, path, { ort: options.ort });
    const { client, endpoint } = storeClient(options);
    const bucket = registry.bucket.name;
    await checkBucket(client, bucket, endpoint);
    const version = options.version === undefined ? await nextVersion(client, bucket, options.model) : Number(options.version);
    if (!Number.isSafeInteger(version) || version < 1) throw new Error(`--version '${options.version}': expected a positive integer`);
    const prefix = modelPrefix(options.model, version);

    const bar =
      model.size >= PROGRESS_BAR_BYTES
        ? new SingleBar({ format: 'uploading [{bar}] {percentage}% {value}/{total} bytes' }, Presets.shades_classic)
        : undefined;
    bar?.start(model.size, 0);
    await pushModel(client, model, { bucket, prefix }, (sent) => bar?.update(sent));
    bar?.stop();

    // The entry names the bucket through the registry's own setting, so it follows the stage.
    const weights = 's3://${self:custom.onnxless.bucket.name}/' + prefix;
    await setModelEntry(
      options.config,
      options.model,
      { weights, sha256: model.sha256, size: model.size },
      { stage: options.stage, env: storeEnv(options) },
    );
    console.log(`pushed ${path} -> s3://${bucket}/${prefix}`);
    for (const f of model.files) console.log(`  ${f.path.padEnd(24)} ${String(f.size).padStart(12)} bytes  ${f.sha256}`);
    const graph = model.optimized;
    if (graph)
      console.log(
        `  ${graph.path.padEnd(24)} ${String(graph.size).padStart(12)} bytes  ${graph.sha256} (pre-optimised: onnxruntime ${graph.onnxruntime}, level ${graph.level})`,
      );
    else console.log(`  no pre-optimised graph: ${model.optimizeSkipped ?? 'not written'}`);
    const ort = model.ort;
    if (ort)
      console.log(
        `  ${ort.path.padEnd(24)} ${String(ort.size).padStart(12)} bytes  ${ort.sha256} (ORT format: onnxruntime ${ort.onnxruntime}, level ${ort.level})`,
      );
    else if (model.ortSkipped) console.log(`  no ORT-format model: ${model.ortSkipped}`);
    console.log(`  size    ${model.size} bytes`);
    console.log(`  sha256  ${model.sha256} (of manifest.json: the pin covers every file)`);
    console.log(`  inputs  ${model.inputs.join(', ')}; outputs ${model.outputs.join(', ')}`);
    console.log(`registry entry '${options.model}' updated in ${options.config}`);
    // The emulator and the deployed API read the registry when they start: say what makes it live.
    console.log(
      options.local
        ? `next: restart the local stack (Ctrl-C, then npm start) so it serves '${options.model}'`
        : `next: npx serverless deploy${options.stage ? ` --stage ${options.stage}` : ''} so the API serves '${options.model}'`,
    );
  });
}
