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
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
const out = path.resolve(root, values.out);

const ENTRIES = { onnxless: 'lib/cli/run.ts', 'worker/entry': 'lib/server/worker/entry.mjs' } as const;

// The worker entry registers tsx for the TypeScript it imports; compiled, there is nothing left
// to compile, so tsx is replaced by a no-op and never loaded.
const noTsx: Plugin = {
  name: 'no-tsx',
  setup(b) {
    b.onResolve({ filter: /^tsx\/esm\/api$/ }, () => ({ path: 'tsx', namespace: 'no-tsx' }));
    b.onLoad({ filter: /.*/, namespace: 'no-tsx' }, () => ({ contents: 'export function register() {}', loader: 'js' }));
  },
};

// The worker entry picks its module at run time (`import(workerData.module ?? ...)`), which a
// bundler cannot follow: that import() becomes a table of the *Worker.ts modules beside it, each
// a literal import() the bundle holds.
const workerModules: Plugin = {
  name: 'worker-modules',
  setup(b) {
    b.onLoad({ filter: /worker[\\/]entry\.mjs$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const modules = (await readdir(path.dirname(args.path))).filter((f) => /Worker\.ts$/.test(f));
      const table = `const __workerModules = {${modules.map((f) => `'./${f}': () => import('./${f}')`).join(', ')}};\n`;
      const contents = source.replace(/\bimport\((?!['"`])([^)]+)\)/g, (_, spec: string) => {
        return `(__workerModules[${spec}] ?? (() => Promise.reject(new Error('no worker module ' + (${spec})))))()`;
      });
      return { contents: table + contents, loader: 'js' };
    });
  },
};

// `new URL('<relative>', import.meta.url)` in lib/ points at a file relative to the source;
// bundled, the code moves to a chunk at the output root, so the path is rewritten from there: an
// entry's source becomes its output, anything else in the project keeps its target.
const entryUrls: Plugin = {
  name: 'entry-urls',
  setup(b) {
    b.onLoad({ filter: /[\\/]lib[\\/].*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const contents = source.replace(/new URL\((['"])([^'"]+)\1, import\.meta\.url\)/g, (whole, _q: string, rel: string) => {
        const target = path.resolve(path.dirname(args.path), rel);
        const entry = Object.entries(ENTRIES).find(([, src]) => path.join(root, src) === target);
        // Anything else in the project (.local/, node_modules/) keeps pointing at the same place.
        const rewritten = entry ? `./${entry[0]}.mjs` : path.relative(out, target).split(path.sep).join('/');
        return whole.replace(rel, rewritten.startsWith('.') ? rewritten : `./${rewritten}`);
      });
      return { contents, loader: 'ts' };
    });
  },
};

await rm(out, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ENTRIES,
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  packages: 'external',
  plugins: [noTsx, workerModules, entryUrls],
  // Readable stack traces in production logs; the bundle is not shipped to a browser.
  minify: false,
  keepNames: true,
  metafile: true,
  logLevel: 'warning',
});
// Every module a bundle points at through import.meta.url must be where it points.
for (const file of Object.keys(result.metafile.outputs)) {
  const code = await readFile(path.join(root, file), 'utf8');
  for (const [, rel] of code.matchAll(/new URL\("([^"]+\.mjs)", import\.meta\.url\)/g)) {
    const target = path.resolve(path.dirname(path.join(root, file)), rel!);
    if (!Object.keys(result.metafile.outputs).some((o) => path.join(root, o) === target)) {
      throw new Error(`build-cli: ${file} points at ${rel}, which the build did not emit`);
    }
  }
}
const files = Object.keys(result.metafile.outputs);
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`build-cli: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB -> ${path.relative(root, out)}/onnxless.mjs`);
