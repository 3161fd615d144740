import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { open, type Entry, type ZipFile } from 'yauzl';

/**
 * Runs the real `serverless package` (osls) on the example registry (a fixture copy of the
 * project's serverless.yml: the live file belongs to the user, whose `push` and `train` edit it),
 * in a temp service folder whose code folders link back to the project: no framework mocks, no AWS.
 */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SERVERLESS_BIN = path.join(ROOT, 'node_modules/osls/bin/serverless.js');
const LINKED = ['node_modules', 'lib', 'dist', 'handlers', 'layers', 'package.json', 'tsconfig.json'];

export interface PackagedService {
  dir: string;
  out: string;
  log: string;
  template: CfnTemplate;
  /** The run's shared package (examplePackage.ts): removed by the run, not by one file. */
  shared?: boolean;
}

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: unknown; UpdatePolicy?: unknown }>;
  Outputs: Record<string, unknown>;
}

export const EXAMPLE_REGISTRY = path.join(ROOT, 'test/fixtures/registry/serverless.yml');

/** The example registry, with `edit` applied to its parsed document (comments kept). */
export async function serviceConfig(edit: (doc: ReturnType<typeof parseDocument>) => void = () => {}): Promise<string> {
  const doc = parseDocument(await readFile(EXAMPLE_REGISTRY, 'utf8'));
  edit(doc);
  return doc.toString();
}

/** A service folder (a new temp one unless given): this config, the project's code linked in, and any extra files given. */
export async function makeService(config: string, extraFiles: Record<string, string> = {}, into?: string): Promise<string> {
  const dir = into ?? (await mkdtemp(path.join(os.tmpdir(), 'onnxless-svc-')));
  for (const name of LINKED) await symlink(path.join(ROOT, name), path.join(dir, name));
  await writeFile(path.join(dir, 'serverless.yml'), config);
  for (const [file, content] of Object.entries(extraFiles)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  return dir;
}

export interface RunResult {
  code: number;
  output: string;
}

/** osls with dummy credentials and no profile: nothing in the package path may need AWS. */
export function runServerless(dir: string, args: string[]): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: 'AKIAOFFLINEPACKAGING',
    AWS_SECRET_ACCESS_KEY: 'offline-packaging-needs-no-secret',
    AWS_REGION: 'us-east-1',
    // Unroutable on purpose: any AWS call the packaging tried would fail, not succeed by luck.
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    NO_COLOR: '1',
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SERVERLESS_BIN, ...args],
      { cwd: dir, env, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

export async function packageService(config: string, extraFiles: Record<string, string> = {}, into?: string): Promise<PackagedService> {
  const dir = await makeService(config, extraFiles, into);
  const out = path.join(dir, 'package-out');
  const { code, output } = await runServerless(dir, ['package', '--package', out]);
  if (code !== 0) throw new Error(`serverless package failed (${code}):\n${output}`);
  const template = JSON.parse(await readFile(path.join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as CfnTemplate;
  return { dir, out, log: output, template };
}

export async function removeService(service: { dir: string; shared?: boolean } | undefined): Promise<void> {
  if (service && !service.shared) await rm(service.dir, { recursive: true, force: true });
}

/** Unpacks a zip as Lambda does (files only, paths kept), refusing entries that escape `dir`. */
export async function extractZip(zipPath: string, dir: string): Promise<string[]> {
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    open(zipPath, { lazyEntries: true, autoClose: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const names: string[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: Entry) => {
      const target = path.resolve(dir, entry.fileName);
      if (!target.startsWith(path.resolve(dir) + path.sep)) return reject(new Error(`zip entry escapes: ${entry.fileName}`));
      if (entry.fileName.endsWith('/')) return zip.readEntry();
      names.push(entry.fileName);
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        mkdir(path.dirname(target), { recursive: true })
          .then(() => pipeline(stream, createWriteStream(target)))
          .then(() => zip.readEntry(), reject);
      });
    });
    zip.readEntry();
  });
  return names;
}

// ---- reading the template ----

export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnTemplate['Resources'][string]]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** The Lambda function resource whose FunctionName ends with `-<key>`. */
export function lambdaFunction(template: CfnTemplate, key: string): CfnTemplate['Resources'][string] {
  const found = resourcesOfType(template, 'AWS::Lambda::Function').find(([, r]) => String(r.Properties.FunctionName).endsWith(`-${key}`));
  if (!found) throw new Error(`no function for '${key}'`);
  return found[1];
}

/** Route keys (`GET /v2`) -> the function key its integration targets, and its authorization. */
export function routes(template: CfnTemplate): Map<string, { fn: string; authorizationType?: string; authorizerId?: unknown }> {
  const integrationToFn = new Map<string, string>();
  for (const [id, r] of resourcesOfType(template, 'AWS::ApiGatewayV2::Integration')) {
    const uri = JSON.stringify(r.Properties.IntegrationUri);
    const fnLogicalId = /"([A-Za-z0-9]+)LambdaFunction"/.exec(uri)?.[1];
    const fnResource = fnLogicalId ? template.Resources[`${fnLogicalId}LambdaFunction`] : undefined;
    integrationToFn.set(id, String(fnResource?.Properties.FunctionName ?? '?').replace(/^[^-]+-[^-]+-/, ''));
  }
  const result = new Map<string, { fn: string; authorizationType?: string; authorizerId?: unknown }>();
  for (const [, r] of resourcesOfType(template, 'AWS::ApiGatewayV2::Route')) {
    const integration = /"Ref":"([A-Za-z0-9]+)"/.exec(JSON.stringify(r.Properties.Target))?.[1] ?? '';
    result.set(r.Properties.RouteKey, {
      fn: integrationToFn.get(integration) ?? '?',
      authorizationType: r.Properties.AuthorizationType,
      authorizerId: r.Properties.AuthorizerId,
    });
  }
  return result;
}

/** A resource value with `Fn::Join`/`Ref AWS::Partition`/`Fn::Sub` pseudo parameters evaluated for partition aws. */
export function evaluate(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, any>;
    if (v.Ref === 'AWS::Partition') return 'aws';
    if (v.Ref === 'AWS::Region') return 'us-east-1';
    if (v.Ref === 'AWS::AccountId') return '123456789012';
    if ('Fn::Join' in v) return (v['Fn::Join'][1] as unknown[]).map(evaluate).join(v['Fn::Join'][0]);
    if ('Fn::Sub' in v && typeof v['Fn::Sub'] === 'string') {
      return (v['Fn::Sub'] as string).replace(/\$\{AWS::(\w+)\}/g, (_, p: string) => evaluate({ Ref: `AWS::${p}` }));
    }
  }
  return JSON.stringify(value);
}

/** Every Allow statement of every IAM role in the template, with its role's logical id. */
export function allowStatements(template: CfnTemplate): Array<{ role: string; actions: string[]; resources: string[] }> {
  const statements: Array<{ role: string; actions: string[]; resources: string[] }> = [];
  for (const [role, r] of resourcesOfType(template, 'AWS::IAM::Role')) {
    for (const policy of r.Properties.Policies ?? []) {
      for (const s of policy.PolicyDocument.Statement) {
        if (s.Effect !== 'Allow') continue;
        statements.push({ role, actions: [s.Action].flat(), resources: [s.Resource].flat().map(evaluate) });
      }
    }
  }
  return statements;
}
