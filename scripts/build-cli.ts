/**
 * `npm run build:cli [-- --out dist]`: the CLI and the server's worker entry compiled to plain
 * JavaScript for the images, so a container starts without compiling TypeScript (tsx) first.
 *
 * dist/onnxless.mjs        the CLI (`node dist/onnxless.mjs serve`)
 * dist/worker/entry.mjs    the inference worker; WorkerPool finds it at ./worker/entry.mjs
 *                          beside the module that holds it, as it does in lib/server
 * dist/*-<hash>.mjs        code shared by both, and one chunk per command: `serve` never
 *                          evaluates the trainer (its import() stays lazy in the bundle)
 * npm packages stay external: they come from the image's production install (npm ci --omit=dev).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
const out = path.resolve(root, values.out);

// The worker entry registers tsx for the TypeScript it imports; compiled, there is nothing left
// to compile, so tsx is replaced by a no-op and never loaded.
const noTsx: Plugin = {
  name: 'no-tsx',
  setup(b) {
    b.onResolve({ filter: /^tsx\/esm\/api$/ }, () => ({ path: 'tsx', namespace: 'no-tsx' }));
    b.onLoad({ filter: /.*/, namespace: 'no-tsx' }, () => ({ contents: 'export function register() {}', loader: 'js' }));
  },
};

await rm(out, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { onnxless: 'lib/cli/run.ts', 'worker/entry': 'lib/server/worker/entry.mjs' },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  packages: 'external',
  plugins: [noTsx],
  // Readable stack traces in production logs; the bundle is not shipped to a browser.
  minify: false,
  keepNames: true,
  metafile: true,
  logLevel: 'warning',
});
const files = Object.keys(result.metafile.outputs);
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`build-cli: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB -> ${path.relative(root, out)}/onnxless.mjs`);
