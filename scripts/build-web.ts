/**
 * Builds the browser pages' files into lib/core/pages/built/assets.json, which lib/core/pages imports: Swagger
 * UI (swagger-ui-dist, pinned) and the playground and docs scripts bundled from web/ by esbuild.
 * Run by npm install (postinstall), npm start and npm test, so a clean clone needs no manual
 * step; the file is git-ignored. `--check`: fail when the file is missing or stale.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'lib/core/pages/built/assets.json');
const require = createRequire(import.meta.url);
const swaggerDir = dirname(require.resolve('swagger-ui-dist/package.json'));

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** A browser bundle of one entry point: no framework, one IIFE, the browsers of the last few years. */
async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    legalComments: 'none',
    logLevel: 'error',
  });
  return result.outputFiles[0]!.text;
}

/** swagger-ui-dist's file, without its source map reference (the map is not served). */
function swaggerFile(name: string): string {
  return readFileSync(join(swaggerDir, name), 'utf8').replace(/\n\/[/*]# sourceMappingURL=\S+?(\s\*\/)?\s*$/, '\n');
}

const assets = {
  'swagger-ui-bundle.js': { type: JS, body: swaggerFile('swagger-ui-bundle.js') },
  'swagger-ui.css': { type: CSS, body: swaggerFile('swagger-ui.css') },
  'pages.css': { type: CSS, body: readFileSync(join(ROOT, 'web/pages.css'), 'utf8') },
  'docs.js': { type: JS, body: await bundle('web/docs.ts') },
  'playground.js': { type: JS, body: await bundle('web/playground/main.ts') },
};
const text = `${JSON.stringify(assets)}\n`;
const current = existsSync(OUT) ? readFileSync(OUT, 'utf8') : undefined;
if (process.argv.includes('--check')) {
  if (current !== text) {
    console.error(`${OUT} is ${current === undefined ? 'missing' : 'stale'}: run npx tsx scripts/build-web.ts`);
    process.exit(1);
  }
} else if (current !== text) {
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, text);
  console.log(`web: ${Object.keys(assets).length} page files, ${(text.length / 1024).toFixed(0)} KiB, in ${OUT.slice(ROOT.length)}`);
}
