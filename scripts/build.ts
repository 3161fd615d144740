/**
 * `npm run build [-- --out dist] [--types]`: the package as it ships, plain JavaScript, so a
 * user's project (and the images) never compile TypeScript at run time.
 *
 * dist/<entry>.mjs         each public entry point of package.json's `exports` (ESM), and the CLI
 *                          (dist/onnxless.mjs); code they share is in dist/*-<hash>.mjs chunks, so
 *                          `onnxless/lambda` and `onnxless/pipeline` hand out the same classes
 * dist/worker/entry.mjs    the inference worker; WorkerPool finds it at ./worker/entry.mjs beside
 *                          the chunk that holds it
 * dist/serverless.cjs      the serverless plugin, CommonJS: osls loads plugins with require()
 * dist/offline-patch.mjs   the module hook `onnxless start` gives serverless-offline (offlinePatch.ts)
 * dist/types/              with --types: the .d.ts of lib/, which `exports` points each entry's types at
 *
 * npm packages stay external: they come from the user's install (or the image's `npm ci --omit=dev`).
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' }, types: { type: 'boolean', default: false } } });
const out = path.resolve(root, values.out);

interface ExportTarget {
  'onnxless:source'?: string;
  import?: string;
  require?: string;
}
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, string | ExportTarget> };

/** Output name (no extension) -> source, for every ESM entry of the exports map: one list, no drift. */
function esmEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const target of Object.values(pkg.exports)) {
    if (typeof target === 'string' || !target.import || !target['onnxless:source']) continue;
    entries[target.import.replace(/^\.\/dist\//, '').replace(/\.mjs$/, '')] = target['onnxless:source'];
  }
  return entries;
}

const ENTRIES: Record<string, string> = {
  ...esmEntries(),
  onnxless: 'lib/tools/cli/run.ts',
  'worker/entry': 'lib/serve/worker/entry.mjs',
  'offline-patch': 'lib/tools/local/offlinePatchHook.ts',
};

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
        // Anything else in the project (node_modules/) keeps pointing at the same place.
        // path.relative drops a folder's trailing slash, which the source may build paths on.
        // Relative to the package's own dist/, wherever this build writes: the path the package
        // ships with (a copy built elsewhere, to be packed, keeps it).
        const rewritten = entry
          ? `./${entry[0]}.mjs`
          : path.relative(path.join(root, 'dist'), target).split(path.sep).join('/') + (rel.endsWith('/') ? '/' : '');
        return whole.replace(rel, rewritten.startsWith('.') ? rewritten : `./${rewritten}`);
      });
      return { contents, loader: 'ts' };
    });
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node22',
  packages: 'external',
  // Readable stack traces in users' logs; a function's own bundle is minified by its build.
  minify: false,
  keepNames: true,
  metafile: true,
  logLevel: 'warning',
} as const;

// dist/types survives a build without --types: npm pack runs prepack (with types), then prepare.
for (const entry of await readdir(out).catch(() => [] as string[])) {
  if (entry !== 'types' || values.types) await rm(path.join(out, entry), { recursive: true, force: true });
}
const esm = await build({
  ...common,
  entryPoints: ENTRIES,
  outdir: out,
  outExtension: { '.js': '.mjs' },
  splitting: true,
  format: 'esm',
  plugins: [noTsx, workerModules, entryUrls],
});
// The plugin runs inside osls, which require()s it; `module.exports` is the class itself.
const plugin = await build({
  ...common,
  entryPoints: { serverless: 'lib/tools/deploy/OnnxlessPlugin.ts' },
  outdir: out,
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  footer: { js: 'module.exports = module.exports.default;' },
  // lib/core/runtimeRequire.ts reads import.meta.url only where __filename is missing (ESM).
  logOverride: { 'empty-import-meta': 'silent' },
});

// Every module a bundle points at through import.meta.url must be where it points.
const outputs = [...Object.keys(esm.metafile.outputs), ...Object.keys(plugin.metafile.outputs)];
for (const file of Object.keys(esm.metafile.outputs)) {
  const code = await readFile(path.join(root, file), 'utf8');
  for (const [, rel] of code.matchAll(/new URL\("([^"]+\.mjs)", import\.meta\.url\)/g)) {
    const target = path.resolve(path.dirname(path.join(root, file)), rel!);
    if (!outputs.some((o) => path.join(root, o) === target))
      throw new Error(`build: ${file} points at ${rel}, which the build did not emit`);
  }
}

if (values.types) {
  // Declarations of lib/ only (tsconfig.build.json): exports' `types` point into dist/types/lib.
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--declarationDir', path.join(out, 'types')], {
    cwd: root,
    stdio: 'inherit',
  });
}
const bytes = [...Object.values(esm.metafile.outputs), ...Object.values(plugin.metafile.outputs)].reduce((sum, o) => sum + o.bytes, 0);
console.log(
  `build: ${outputs.length} files, ${(bytes / 1024).toFixed(0)} KiB -> ${path.relative(root, out)}/${values.types ? ' (with types)' : ''}`,
);
