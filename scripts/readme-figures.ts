/**
 * `npm run readme:figures`: writes the README's measured figures from the runs that measured
 * them, so none is typed by hand:
 *   - the test count and time, from .ci/last-run/tests.json (written by .ci/run);
 *   - the artifact sizes, from the last `serverless package` (.serverless/*.zip) and the layer
 *     manifests it built (layers/<layer>/dist/<layer>-<arch>.json).
 * Options: --tests <tests.json> --package <folder of the function zips>. A block whose source
 * is missing is left as it is, and the script says so.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import yauzl from 'yauzl';
import { formatBytes, type LayerManifest } from '../lib/tools/deploy/layers';
import { readRegistryFile } from '../lib/core/registry';

const root = fileURLToPath(new URL('..', import.meta.url));
const README = path.join(root, 'README.md');

/** What .ci/run records of the suite it ran. */
export interface TestRunFigures {
  tests: number;
  passed: number;
  seconds: number;
  node: string;
  cores: number;
  date: string;
}

function replaceBlock(text: string, name: string, body: string): string {
  const re = new RegExp(`(<!-- figures:${name} -->)[\\s\\S]*?(<!-- /figures:${name} -->)`);
  if (!re.test(text)) throw new Error(`README.md has no <!-- figures:${name} --> block`);
  return text.replace(re, (_m, open: string, close: string) => `${open}${body}${close}`);
}

function testsSentence(f: TestRunFigures): string {
  const minutes = Math.floor(f.seconds / 60);
  const time = minutes > 0 ? `${minutes} min ${Math.round(f.seconds % 60)} s` : `${Math.round(f.seconds)} s`;
  return `${f.tests} tests (${f.passed} passed) in ${time} on ${f.cores} cores, Node ${f.node}, last \`.ci/run\` of ${f.date}`;
}

function unzippedBytes(zip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    yauzl.open(zip, { lazyEntries: true }, (err, file) => {
      if (err) return reject(err);
      let total = 0;
      file.on('entry', (entry: yauzl.Entry) => {
        total += entry.uncompressedSize;
        file.readEntry();
      });
      file.once('end', () => resolve(total));
      file.once('error', reject);
      file.readEntry();
    });
  });
}

async function sizesTable(packageDir: string): Promise<string> {
  const rows = ['', '| artifact | zipped | unzipped |', '|---|---|---|'];
  for (const layer of ['onnxruntime', 'sharp']) {
    const dist = path.join(root, 'layers', layer, 'dist');
    if (!existsSync(dist)) continue;
    for (const file of readdirSync(dist)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const m = JSON.parse(readFileSync(path.join(dist, file), 'utf8')) as LayerManifest;
      rows.push(`| ${layer} layer, ${m.architecture} | ${formatBytes(m.zipBytes)} | ${formatBytes(m.unzippedBytes)} |`);
    }
  }
  const registry = await readRegistryFile(path.join(root, 'test/fixtures/registry/serverless.yml'), { env: {}, stage: 'dev' });
  const zips = readdirSync(packageDir)
    .filter((f) => f.endsWith('.zip'))
    .sort();
  for (const zip of zips) {
    const key = zip.slice(0, -'.zip'.length);
    const full = path.join(packageDir, zip);
    const own = registry.models[key]?.handler ?? registry.pipelines?.[key]?.handler;
    const handler = own !== undefined ? `\`${own}\`` : key === 'server' ? 'the server routes' : 'the generic tensor handler';
    rows.push(
      `| function \`${key}\` (${handler}) | ${formatBytes(readFileSync(full).length)} | ${formatBytes(await unzippedBytes(full))} |`,
    );
  }
  if (zips.length === 0) throw new Error(`no function zips in ${packageDir}: run npx serverless package first`);
  return `${rows.join('\n')}\n\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tests: { type: 'string', default: path.join(root, '.ci/last-run/tests.json') },
      package: { type: 'string', default: path.join(root, '.serverless') },
    },
  });
  let text = readFileSync(README, 'utf8');
  if (existsSync(values.tests)) {
    text = replaceBlock(text, 'tests', testsSentence(JSON.parse(readFileSync(values.tests, 'utf8')) as TestRunFigures));
    console.log(`test figures from ${values.tests}`);
  } else console.log(`no ${values.tests}: test figures left as they are (run .ci/run)`);
  if (existsSync(values.package)) {
    text = replaceBlock(text, 'sizes', await sizesTable(values.package));
    console.log(`sizes from ${values.package} and layers/*/dist`);
  } else console.log(`no ${values.package}: sizes left as they are (run npx serverless package)`);
  writeFileSync(README, text);
}

main().catch((err: unknown) => {
  console.error(`readme:figures: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
