/**
 * `npm run build:layer [-- --layer onnxruntime|sharp|all] [--arch x86_64|arm64|all] [--force]`
 * Builds the Lambda layer zips under layers/<layer>/dist/ and prints their sizes.
 * Default: the onnxruntime layer for both architectures (sharp only when asked: npm installs only
 * the host's sharp platform package, so its other architecture needs an extra install).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ARCHITECTURES, EXTRA_LAYERS, type Architecture } from '../lib/core/registry/index';
import { buildLayer, ensureLayer, formatBytes, type LayerName } from '../lib/tools/deploy/layers';

const LAYERS: readonly LayerName[] = ['onnxruntime', ...EXTRA_LAYERS];
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    layer: { type: 'string', default: 'onnxruntime' },
    arch: { type: 'string', default: 'all' },
    force: { type: 'boolean', default: false },
  },
});

function pick<T extends string>(value: string, all: readonly T[], what: string): readonly T[] {
  if (value === 'all') return all;
  if ((all as readonly string[]).includes(value)) return [value as T];
  throw new Error(`unknown ${what} '${value}'; expected one of ${all.join(', ')} or all`);
}

try {
  for (const layer of pick(values.layer, LAYERS, 'layer')) {
    for (const arch of pick<Architecture>(values.arch, ARCHITECTURES, 'architecture')) {
      const started = Date.now();
      const { manifest, built } = values.force
        ? { manifest: await buildLayer(root, layer, arch), built: true }
        : await ensureLayer(root, layer, arch);
      console.log(
        `layer ${layer}-${arch}: ${formatBytes(manifest.zipBytes)} zipped, ${formatBytes(manifest.unzippedBytes)} unzipped, ` +
          `${manifest.files} files (${built ? `built in ${Date.now() - started} ms` : 'up to date'}) -> ` +
          path.relative(root, path.join(root, 'layers', layer, 'dist', `${layer}-${arch}.zip`)),
      );
    }
  }
} catch (err) {
  console.error(`build-layer: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
