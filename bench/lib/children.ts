import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { RESULT_PREFIX } from '../children/common';
import { BENCH_DIR, CACHE_DIR } from './models';

const DIST = join(CACHE_DIR, 'dist');

export type ChildName =
  | 'coldHandler'
  | 'handlerBundleLoad'
  | 'coldStartBound'
  | 'coldStartPhases'
  | 'coldLowerBound'
  | 'coldHandRolled'
  | 'coldRangedLowerBound'
  | 'sessionFromPath'
  | 'sessionCreation'
  | 'download'
  | 'warm'
  | 'coldPipeline'
  | 'repositoryFunction'
  | 'singleModelFunction';

/**
 * Bundle every child script as a Lambda deployment would be bundled (one minified CommonJS
 * file, the native onnxruntime-node left external, and for the handler's children what the
 * deployed bundle leaves out): children then start as fast as a deployed function, without a TypeScript
 * loader's compile time in the numbers.
 */
export async function buildChildren(): Promise<void> {
  mkdirSync(DIST, { recursive: true });
  const dir = join(BENCH_DIR, 'children');
  const entries = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== 'common.ts')
    .map((f) => join(dir, f));
  // Children that run the handler leave out what the deployed bundle leaves out (serverless.yml).
  const handlerChildren = entries.filter((f) => HANDLER_CHILDREN.some((name) => f.endsWith(`/${name}.ts`)));
  await Promise.all([
    // sharp is native too (a layer when deployed): bundled, its ESM build's import.meta.url is empty in CommonJS.
    buildSome(
      entries.filter((f) => !handlerChildren.includes(f)),
      ['onnxruntime-node', 'sharp'],
    ),
    buildSome(handlerChildren, ['onnxruntime-node', 'sharp', ...DEPLOYED_EXTERNALS]),
  ]);
}

/** Children whose code is the handler's: built as serverless-esbuild builds a function. */
const HANDLER_CHILDREN: readonly ChildName[] = [
  'coldHandler',
  'coldStartPhases',
  'coldPipeline',
  'warm',
  'repositoryFunction',
  'singleModelFunction',
];
/** serverless.yml's esbuild `exclude`, less the native modules. */
export const DEPLOYED_EXTERNALS = ['@aws-sdk/client-s3'];

async function buildSome(entries: string[], external: string[]): Promise<void> {
  await build({
    entryPoints: entries,
    outdir: DIST,
    bundle: true,
    platform: 'node',
    target: 'node22',
    // As serverless.yml builds a function: minified CommonJS, loaded with require().
    format: 'cjs',
    minify: true,
    keepNames: true,
    outExtension: { '.js': '.cjs' },
    external,
    // `onnxless/lambda` and the other public entry points (the example handlers import them) from
    // this checkout's source, as tsconfig.json's customConditions resolve them for tsx and vitest:
    // without it esbuild takes the package's built dist/, possibly older than the source, beside
    // the source modules a child imports directly (two copies of the loader in one bundle).
    // 'module' kept: esbuild drops its default 'module' condition once any condition is given.
    conditions: ['onnxless:source', 'module'],
    logLevel: 'warning',
  });
}

export interface ChildResult {
  elapsedMs: number;
  maxRssKb: number;
  [key: string]: unknown;
}

/** Run one child in a fresh Node process and return the result line it printed. */
export function runChild(name: ChildName, args: object, env: Record<string, string> = {}, timeoutMs = 300_000): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(DIST, `${name}.cjs`)], {
      // Children resolve onnxruntime-node from the project's node_modules.
      cwd: join(BENCH_DIR, '..'),
      env: { ...process.env, ...env, BENCH_ARGS: JSON.stringify(args), NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let result: ChildResult | undefined;
    let pending = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith(RESULT_PREFIX)) result = JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildResult;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (pending.startsWith(RESULT_PREFIX)) result = JSON.parse(pending.slice(RESULT_PREFIX.length)) as ChildResult;
      if (code === 0 && result) resolve(result);
      else reject(new Error(`bench child ${name} exited with ${code}:\n${stderr}`));
    });
  });
}
