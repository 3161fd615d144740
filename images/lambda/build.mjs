#!/usr/bin/env node
// Builds the Lambda container image's task root, the same way inside Docker and out:
//   node images/lambda/build.mjs <out-dir> [--arch x64|arm64] [--handler handlers/tensor.handler]
// <out-dir>/handlers/*.js   every handler in handlers/, bundled as CommonJS for Node 22
// <out-dir>/index.js        re-exports the chosen handler as `handler`: the image's CMD is
//                           always `index.handler`, whichever model handler was built in
// <out-dir>/node_modules/   only the native modules the bundles leave out (onnxruntime-node,
//                           sharp) and what they require, onnxruntime trimmed to linux/<arch>
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NATIVE = ['onnxruntime-node', 'sharp'];

const args = process.argv.slice(2);
const out = args.find((a) => !a.startsWith('--'));
const archFlag = args.indexOf('--arch');
const arch = archFlag >= 0 ? args[archFlag + 1] : process.arch;
const handlerFlag = args.indexOf('--handler');
const handler = handlerFlag >= 0 ? args[handlerFlag + 1] : 'handlers/tensor.handler';
const handlerMatch = /^(handlers\/[\w.-]+)\.([A-Za-z_$][\w$]*)$/.exec(handler ?? '');
if (!out || !['x64', 'arm64'].includes(arch ?? '') || !handlerMatch) {
  console.error('usage: node images/lambda/build.mjs <out-dir> [--arch x64|arm64] [--handler handlers/<file>.<export>]');
  process.exit(2);
}
const [, handlerFile, handlerExport] = handlerMatch;
const outDir = resolve(out);

// The project's own handlers, and the package's (the generic tensor handler and the server routes,
// which a project has no file for): each one bundle under handlers/.
const PACKAGE_HANDLERS = { tensor: 'lib/lambda/tensorHandler.ts', server: 'lib/lambda/serverHandler.ts' };
const handlers = readdirSync(join(ROOT, 'handlers')).filter((f) => f.endsWith('.ts'));
await build({
  entryPoints: {
    ...Object.fromEntries(Object.entries(PACKAGE_HANDLERS).map(([name, file]) => [name, join(ROOT, file)])),
    ...Object.fromEntries(handlers.map((f) => [f.replace(/\.ts$/, ''), join(ROOT, 'handlers', f)])),
  },
  outdir: join(outDir, 'handlers'),
  // The handlers import the package's public entry points (`onnxless/lambda`); built from the
  // sources here, as the image's build stage has no dist/.
  conditions: ['onnxless:source'],
  bundle: true,
  platform: 'node',
  target: 'node22',
  // CommonJS: the Lambda runtime `require`s <task root>/handlers/<name>.js.
  format: 'cjs',
  // As serverless.yml: weights come through a signed GET; the SDK path (ONNXLESS_S3_CLIENT=sdk)
  // requires the SDK v3 the Lambda base image carries in /var/runtime/node_modules.
  external: [...NATIVE, '@aws-sdk/client-s3'],
  minify: true,
  keepNames: true,
  logLevel: 'warning',
  // lib/core/onnx/onnxruntime.ts reads import.meta.url only where __filename is missing (ESM).
  logOverride: { 'empty-import-meta': 'silent' },
});

// The dependency closure of the native modules, from the (flat, hoisted) node_modules.
const modules = join(ROOT, 'node_modules');
const needed = new Set();
const queue = [...NATIVE];
while (queue.length > 0) {
  const name = queue.shift();
  if (name === undefined || needed.has(name)) continue;
  const manifest = join(modules, name, 'package.json');
  if (!existsSync(manifest)) continue; // an optional dependency for another platform
  needed.add(name);
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  queue.push(...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {}));
}
for (const name of needed) {
  // sharp's prebuilt binaries: only this platform's.
  if (name.startsWith('@img/') && !name.includes(`linux-${arch}`)) continue;
  cpSync(join(modules, name), join(outDir, 'node_modules', name), { recursive: true, dereference: true });
}

// onnxruntime-node ships every platform (288 MB); the image needs linux/<arch> (46 MB on x64).
const ortBin = join(outDir, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
for (const platform of readdirSync(ortBin)) {
  if (platform !== 'linux') rmSync(join(ortBin, platform), { recursive: true, force: true });
  else
    for (const a of readdirSync(join(ortBin, 'linux'))) if (a !== arch) rmSync(join(ortBin, 'linux', a), { recursive: true, force: true });
}
if (!existsSync(join(outDir, `${handlerFile}.js`))) {
  console.error(
    `--handler ${handler}: there is no ${handlerFile}.ts; handlers: ${[...Object.keys(PACKAGE_HANDLERS), ...handlers].join(', ')}`,
  );
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'index.js'), `module.exports.handler = require('./${handlerFile}.js').${handlerExport};\n`);
console.log(
  `built ${handlers.length} handlers (index.handler = ${handler}) and ${needed.size} native-module packages for linux/${arch} into ${outDir}`,
);
