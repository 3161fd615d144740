import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRegistryFile } from '../../../lib/core/registry';
import { OnnxRunner } from '../../../lib/core/onnx/OnnxRunner';
import { inspectModel, modelFilesAt } from '../../../lib/tools/store/inspectModel';
import { createPredictPipeline } from '../../../templates/project/pipelines/predict';
import { tempDir } from '../../support/testHandler';

/**
 * `onnxless init` as a user runs it (from the sources, through tsx; `npm create`'s wrapper through
 * the built dist/, which `npm test` builds first), into temporary folders: never the checkout's
 * own serverless.yml or .local.
 */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = join(REPO, 'node_modules/tsx/dist/cli.mjs');
const OWN = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };

/** `node <args>`: its exit code and everything it printed. */
function runNode(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

const init = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  runNode([TSX, join(REPO, 'lib/tools/cli/run.ts'), 'init', ...args], cwd, env);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('onnxless init', () => {
  const parent = tempDir('onnxless-init-');
  const project = join(parent, 'my-api');
  const tarball = join(parent, 'onnxless-9.9.9.tgz');
  let run: { code: number | null; output: string };

  beforeAll(async () => {
    writeFileSync(tarball, 'a tarball as npm pack writes one');
    run = await init(['my-api', '--no-install', '--onnxless', './onnxless-9.9.9.tgz'], parent);
  });

  it("writes the project's files, the dotfiles under their real names", () => {
    expect(run.output).toContain(`created my-api in ${project}`);
    expect(run.code).toBe(0);
    expect(filesUnder(project)).toEqual([
      '.gitignore',
      '.npmrc',
      'README.md',
      'handlers/predict.ts',
      'models/example/model.onnx',
      'package.json',
      'pipelines/predict.ts',
      'serverless.yml',
      'test/predict.test.ts',
      'tsconfig.json',
    ]);
    expect(readFileSync(join(project, '.gitignore'), 'utf8')).toMatch(/^node_modules\/$/m);
    expect(readFileSync(join(project, '.npmrc'), 'utf8')).toMatch(/^onnxruntime-node-install=skip$/m);
  });

  it('depends on the --onnxless tarball by its absolute path, and pins the tools at the versions of this package', () => {
    const manifest = readJson(join(project, 'package.json'));

    expect(manifest).toMatchObject({
      name: 'my-api',
      private: true,
      type: 'module',
      scripts: { start: 'onnxless start', test: 'node --test' },
    });
    expect(manifest.dependencies.onnxless).toBe(`file:${tarball}`);
    for (const [name, version] of Object.entries(manifest.devDependencies as Record<string, string>)) {
      expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
      expect(version, name).toBe(OWN.devDependencies[name]);
    }
    expect(Object.keys(manifest.devDependencies)).toEqual(
      expect.arrayContaining(['osls', 'serverless-esbuild', 'serverless-offline', 's3rver', 'esbuild']),
    );
  });

  it('depends on ^ this version when no --onnxless is given', async () => {
    const { code } = await init(['plain', '--no-install'], parent);

    expect(code).toBe(0);
    expect(readJson(join(parent, 'plain', 'package.json')).dependencies.onnxless).toBe(`^${OWN.version}`);
  });

  it('fills in every placeholder of the template', () => {
    const leftovers = filesUnder(project)
      .filter((f) => !f.endsWith('.onnx'))
      .filter((f) => /\{\{\w+\}\}/.test(readFileSync(join(project, f), 'utf8')));

    expect(leftovers).toEqual([]);
  });

  it("writes a registry that validates, both models on the example's directory pinned as push pins it", async () => {
    const registry = await readRegistryFile(join(project, 'serverless.yml'), { stage: 'dev', env: {} });
    const modelDir = join(project, 'models/example');
    const { sha256, size } = await inspectModel((await modelFilesAt(modelDir)).files, modelDir);

    expect(registry.bucket.name).toBe('my-api-models-dev');
    expect(registry.auth).toEqual({ type: 'iam' });
    expect(registry.models.example).toMatchObject({ weights: 's3://my-api-models-dev/example/1/', sha256, size });
    expect(registry.models['example-predict']).toMatchObject({
      weights: 's3://my-api-models-dev/example/1/',
      sha256,
      size,
      handler: 'handlers/predict.handler',
    });
    expect(size).toBe(statSync(join(modelDir, 'model.onnx')).size);
  });

  it('writes an example model that onnxruntime loads: y is the sum and the mean of the four xs', async () => {
    const session = await InferenceSession.create(join(project, 'models/example/model.onnx'));
    const x = new Tensor('float32', Float32Array.from([1, 2, 3, 4, 0.5, -1, 2, 6.5]), [2, 4]);

    const { y } = await session.run({ x });

    expect(session.inputNames).toEqual(['x']);
    expect(y?.dims).toEqual([2, 2]);
    expect(Array.from(y?.data as Float32Array)).toEqual([10, 2.5, 8, 2]);
    await session.release();
  });

  it("answers through the template's pipeline, and refuses a short row with a 400 naming it", async () => {
    const runner = new OnnxRunner(await InferenceSession.create(join(project, 'models/example/model.onnx')));
    const json = (body: unknown) => ({ contentType: 'application/json', body: Buffer.from(JSON.stringify(body)), query: {} });
    const pipeline = createPredictPipeline();

    await expect(pipeline.predict(json({ x: [[1, 2, 3, 4]] }), runner)).resolves.toEqual({ y: [[10, 2.5]] });
    await expect(pipeline.predict(json({ x: [[1, 2, 3]] }), runner)).rejects.toMatchObject({
      status: 400,
      message: 'x[0]: expected 4 numbers, got 3',
    });
    await expect(pipeline.predict(json({ y: [[1, 2, 3, 4]] }), runner)).rejects.toMatchObject({ status: 400 });
    await runner.session.release();
  });

  it('then runs npm install --prefer-offline in the project, with the npm that runs init', async () => {
    // npm sets npm_execpath for what it runs (npx, npm create): a stand-in that records its call.
    const fakeNpm = join(parent, 'fake-npm.cjs');
    writeFileSync(
      fakeNpm,
      `require('node:fs').writeFileSync(${JSON.stringify(join(parent, 'npm-call.json'))}, JSON.stringify({ cwd: process.cwd(), args: process.argv.slice(2) }));`,
    );

    const { code, output } = await init(['installed'], parent, { npm_execpath: fakeNpm });

    expect(code, output).toBe(0);
    expect(readJson(join(parent, 'npm-call.json'))).toEqual({ cwd: join(parent, 'installed'), args: ['install', '--prefer-offline'] });
    expect(output).not.toMatch(/^ {2}npm install$/m); // done: not among the next steps
  });

  it('refuses a folder with files in it, naming the folder and what it holds, and leaves it as it was', async () => {
    const busy = join(parent, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'mine');

    const { code, output } = await init(['busy', '--no-install'], parent);

    expect(code).toBe(1);
    expect(output).toContain(`${busy} is not empty (notes.txt): init writes a new project into a new or empty folder only`);
    expect(filesUnder(busy)).toEqual(['notes.txt']);
  });
});

describe('npm create onnxless', () => {
  const wrapper = join(REPO, 'create-onnxless');

  it('depends on this very version of onnxless, so `npm create onnxless@X` scaffolds with onnxless X', () => {
    expect(readJson(join(wrapper, 'package.json')).dependencies).toEqual({ onnxless: OWN.version });
  });

  it('runs onnxless init with its own arguments, and leaves with its status', async () => {
    // Installed as npm create installs it: create-onnxless with onnxless beside it (this checkout, built).
    const parent = tempDir('onnxless-create-');
    cpSync(wrapper, join(parent, 'node_modules/create-onnxless'), { recursive: true });
    symlinkSync(REPO, join(parent, 'node_modules/onnxless'));
    const create = (args: string[]) => runNode([join(parent, 'node_modules/create-onnxless/index.mjs'), ...args], parent);

    const made = await create(['via-create', '--no-install']);
    const again = await create(['via-create', '--no-install']);

    expect(made.code, made.output).toBe(0);
    expect(readJson(join(parent, 'via-create', 'package.json')).name).toBe('via-create');
    expect(again.code).toBe(1);
    expect(again.output).toContain('is not empty');
  });
});
