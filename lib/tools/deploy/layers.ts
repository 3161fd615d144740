import { NamedError } from '../../core/errors';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Architecture, ExtraLayer } from '../../core/registry/index';
import { writeZip, type ZipEntry } from './zip';

/**
 * The Lambda layers the deployment attaches: onnxruntime for every model, sharp (native image
 * codec) for the models that ask for it. Each layer is one zip per architecture holding only that
 * platform's binaries, laid out as `nodejs/node_modules/...` so Lambda mounts it where Node's
 * module path looks (/opt/nodejs/node_modules). Function bundles leave these modules out.
 */
export type LayerName = 'onnxruntime' | ExtraLayer;

const NODE_ARCH = { x86_64: 'x64', arm64: 'arm64' } as const satisfies Record<Architecture, string>;

interface PackageSpec {
  readonly name: string;
  /** The package that depends on this one: resolve from its folder, as Node would. */
  readonly from?: string;
  /** Relative path inside the package (`/`-separated) -> ship it? */
  readonly keep: (file: string) => boolean;
}

// Type declarations, source maps, sources, docs and C headers never run on Lambda.
const RUNTIME_FILE = (file: string): boolean =>
  !/\.(d\.[cm]?ts|map|ts|md|h|hpp|cc|gyp)$/.test(file) && !/(^|\/)(include|src|script|install|test|docs?)\//.test(file);

const LAYER_PACKAGES: Record<LayerName, (arch: Architecture) => PackageSpec[]> = {
  onnxruntime: (arch) => [
    {
      name: 'onnxruntime-node',
      // dist/ is the JS that package.json's main points at; bin/ keeps one platform (46 MB of 288).
      keep: (f) =>
        f === 'package.json' || (f.startsWith('dist/') && RUNTIME_FILE(f)) || f.startsWith(`bin/napi-v6/linux/${NODE_ARCH[arch]}/`),
    },
    {
      name: 'onnxruntime-common',
      from: 'onnxruntime-node',
      keep: (f) => f === 'package.json' || /^LICENSE/.test(f) || (f.startsWith('dist/') && RUNTIME_FILE(f)),
    },
  ],
  sharp: (arch) => [
    { name: 'sharp', keep: RUNTIME_FILE },
    { name: '@img/colour', from: 'sharp', keep: RUNTIME_FILE },
    { name: 'detect-libc', from: 'sharp', keep: RUNTIME_FILE },
    { name: 'semver', from: 'sharp', keep: RUNTIME_FILE },
    { name: `@img/sharp-linux-${NODE_ARCH[arch]}`, from: 'sharp', keep: RUNTIME_FILE },
    { name: `@img/sharp-libvips-linux-${NODE_ARCH[arch]}`, from: `@img/sharp-linux-${NODE_ARCH[arch]}`, keep: RUNTIME_FILE },
  ],
};

export interface LayerManifest {
  readonly layer: LayerName;
  readonly architecture: Architecture;
  /** name -> version of every package inside: a change in node_modules makes the zip stale. */
  readonly packages: Record<string, string>;
  readonly files: number;
  readonly unzippedBytes: number;
  readonly zipBytes: number;
}

export interface LayerPaths {
  readonly zip: string;
  readonly manifest: string;
}

/** layers/<layer>/dist/<layer>-<arch>.zip (+ .json manifest), relative to the project root. */
export function layerPaths(root: string, layer: LayerName, arch: Architecture): LayerPaths {
  const base = path.join(root, 'layers', layer, 'dist', `${layer}-${arch}`);
  return { zip: `${base}.zip`, manifest: `${base}.json` };
}

export class LayerBuildError extends NamedError {}

/** Builds one layer zip from the project's node_modules. */
export async function buildLayer(root: string, layer: LayerName, arch: Architecture): Promise<LayerManifest> {
  const entries: ZipEntry[] = [];
  const packages: Record<string, string> = {};
  let unzippedBytes = 0;
  for (const spec of LAYER_PACKAGES[layer](arch)) {
    const dir = packageDir(root, spec, layer, arch);
    const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { version: string };
    packages[spec.name] = pkg.version;
    for (const file of await listFiles(dir)) {
      if (!spec.keep(file)) continue;
      const source = path.join(dir, file);
      entries.push({ source, target: `nodejs/node_modules/${spec.name}/${file}` });
      unzippedBytes += (await stat(source)).size;
    }
  }
  const paths = layerPaths(root, layer, arch);
  const zipBytes = await writeZip(entries, paths.zip);
  const manifest: LayerManifest = { layer, architecture: arch, packages, files: entries.length, unzippedBytes, zipBytes };
  // Atomic like the zip: a concurrent build never leaves a half-written manifest.
  const temp = `${paths.manifest}.${process.pid}.partial`;
  await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(temp, paths.manifest);
  return manifest;
}

/**
 * The layer's manifest when its zip exists and was built from the packages installed now;
 * undefined when it must be (re)built.
 */
export async function currentLayer(root: string, layer: LayerName, arch: Architecture): Promise<LayerManifest | undefined> {
  const paths = layerPaths(root, layer, arch);
  let manifest: LayerManifest;
  try {
    manifest = JSON.parse(await readFile(paths.manifest, 'utf8')) as LayerManifest;
    if ((await stat(paths.zip)).size !== manifest.zipBytes) return undefined;
  } catch {
    return undefined;
  }
  for (const spec of LAYER_PACKAGES[layer](arch)) {
    try {
      const dir = packageDir(root, spec, layer, arch);
      const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { version: string };
      if (manifest.packages[spec.name] !== pkg.version) return undefined;
    } catch {
      return undefined;
    }
  }
  return manifest;
}

/** Builds the layer unless an up-to-date zip is already there. */
export async function ensureLayer(
  root: string,
  layer: LayerName,
  arch: Architecture,
): Promise<{ manifest: LayerManifest; built: boolean }> {
  const current = await currentLayer(root, layer, arch);
  if (current) return { manifest: current, built: false };
  return { manifest: await buildLayer(root, layer, arch), built: true };
}

function packageDir(root: string, spec: PackageSpec, layer: LayerName, arch: Architecture): string {
  const { name } = spec;
  const base = spec.from === undefined ? root : packageDir(root, { name: spec.from, keep: () => false }, layer, arch);
  // Not require.resolve(`${name}/package.json`): packages with an `exports` map may hide it.
  const searchPaths = createRequire(path.join(base, 'package.json')).resolve.paths(name) ?? [];
  const found = searchPaths.map((p) => path.join(p, name)).find((dir) => existsSync(path.join(dir, 'package.json')));
  if (found) return found;
  const hint =
    layer === 'sharp'
      ? ` (npm installs only the host's platform package; for ${arch} run: npm install --no-save --os=linux --cpu=${NODE_ARCH[arch]} sharp)`
      : '';
  throw new LayerBuildError(`layer ${layer} (${arch}): package ${name} is not installed${hint}`);
}

/** Every file under dir, relative, `/`-separated; symlinks are followed by stat, not listed twice. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') continue;
      files.push(...(await listFiles(dir, rel)));
    } else if (entry.isFile()) {
      files.push(rel);
    }
  }
  return files;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
