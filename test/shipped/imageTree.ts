import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { readStages, type Stage } from '../integration/server/dockerfile';
import { node22 } from './node22';
import { ROOT, productionInstall, scratchDir } from './productionInstall';

/**
 * An image's file tree, assembled without Docker by following its Dockerfile: every stage gets a
 * folder standing for its root filesystem, and each WORKDIR, COPY and RUN is carried out there in
 * order, so the Dockerfile cannot drift from what is tested. Absolute paths in COPY and RUN are
 * the image's: they land under that folder. What the base images provide is stood in for:
 *   node:22-*                     /usr/local/bin/node (the Node 22 binary CI installs)
 *   public.ecr.aws/lambda/nodejs  LAMBDA_TASK_ROOT=/var/task, LAMBDA_RUNTIME_DIR=/var/runtime
 *   nvidia/cuda:*                 nothing the tree needs (CUDA libraries: no GPU here)
 * `npm ci` comes from the same lockfile's installs: `--omit=dev` from the cached production
 * install (hard-linked), a full install from the checkout's own node_modules (what CI just ran).
 * Steps that need what is not here (the CUDA provider download) are listed in `skipped`.
 */
export interface ImageTree {
  /** Host folder standing for the final stage's `/`. */
  root: string;
  stage: Stage;
  /** The image's environment: its base image's plus its ENV. */
  env: Record<string, string>;
  /** WORKDIR of the final stage, an image path. */
  workdir: string;
  skipped: string[];
  /** Host path of an image path. */
  host(imagePath: string): string;
  remove(): Promise<void>;
}

const BASE_IMAGES: Array<{ match: RegExp; env: Record<string, string>; node?: boolean }> = [
  { match: /^node:22(-|$)/, env: {}, node: true },
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
  { match: /^public\.ecr\.aws\/lambda\/nodejs:22$/, env: { LAMBDA_TASK_ROOT: '/var/task', LAMBDA_RUNTIME_DIR: '/var/runtime' } },
  { match: /^nvidia\/cuda:12\./, env: {} },
];

const run = promisify(execFile);

export async function assembleImage(dockerfile: string, buildArgs: Record<string, string> = {}): Promise<ImageTree> {
  const stages = readStages(path.join(ROOT, dockerfile), buildArgs);
  const dir = await scratchDir('onnxless-image-');
  const roots = new Map<Stage, string>();
  const skipped: string[] = [];
  let last: { stage: Stage; root: string; env: Record<string, string>; workdir: string } | undefined;
  try {
    for (const [index, stage] of stages.entries()) {
      const base = BASE_IMAGES.find((b) => b.match.test(stage.from));
      if (!base) throw new Error(`${dockerfile}: no stand-in for base image ${stage.from}`);
      const root = path.join(dir, `stage-${index}`);
      roots.set(stage, root);
      await mkdir(root, { recursive: true });
      const inImage = (p: string) => path.join(root, p);
      if (base.node) {
        await mkdir(inImage('/usr/local/bin'), { recursive: true });
        await symlink(node22(), inImage('/usr/local/bin/node'));
      }
      for (const dirPath of Object.values(base.env)) await mkdir(inImage(dirPath), { recursive: true });
      const env = { ...base.env, ...stage.env };
      const fill = (text: string) => text.replace(/\$\{(\w+)\}/g, (whole, name: string) => env[name] ?? whole);
      let workdir = '/';
      for (const step of stage.steps) {
        const args = fill(step.args);
        if (step.instruction === 'WORKDIR') {
          workdir = path.posix.resolve(workdir, args);
          await mkdir(inImage(workdir), { recursive: true });
        } else if (step.instruction === 'COPY') {
          await copyStep(args, { stages, roots, root, workdir });
        } else {
          const outcome = await runStep(args, { root, workdir, env, scratch: dir });
          if (outcome) skipped.push(outcome);
        }
      }
      last = { stage, root, env, workdir };
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const final = last!;
  return {
    root: final.root,
    stage: final.stage,
    env: final.env,
    workdir: final.workdir,
    skipped,
    host: (p) => path.join(final.root, path.posix.resolve(final.workdir, p)),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

async function copyStep(args: string, at: { stages: Stage[]; roots: Map<Stage, string>; root: string; workdir: string }): Promise<void> {
  const words = args.split(/\s+/);
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const [dest, ...sources] = words.filter((w) => !w.startsWith('--')).reverse();
  const source = from === undefined ? undefined : at.stages.find((s, i) => s.name === from || String(i) === from);
  if (from !== undefined && !source) throw new Error(`COPY --from=${from}: no such stage`);
  const destination = path.join(at.root, path.posix.resolve(at.workdir, dest!));
  for (const src of sources.reverse()) {
    const hostSource = source ? path.join(at.roots.get(source)!, path.posix.resolve('/', src)) : path.join(ROOT, src);
    if (!existsSync(hostSource)) throw new Error(`COPY ${args}: ${src} does not exist`);
    const isDir = await run('test', ['-d', hostSource]).then(
      () => true,
      () => false,
    );
    // Docker's rules: a folder's contents go into dest; files go into dest/ when it ends in / or
    // several sources are given, else become dest.
    const target = isDir
      ? destination
      : dest!.endsWith('/') || sources.length > 1
        ? path.join(destination, path.basename(src))
        : destination;
    await mkdir(isDir ? target : path.dirname(target), { recursive: true });
    await copyTree(isDir ? `${hostSource}/.` : hostSource, target);
  }
}

/** Hard links where it can (the trees share one filesystem): node_modules is 400 MB. */
async function copyTree(from: string, to: string): Promise<void> {
  await run('cp', ['-al', from, to]).catch(() => run('cp', ['-a', from, to]));
}

const NPM_CI = /^(?:\w+=\S*\s+)*npm ci(?:\s+--[\w-]+(?:=\S+)?)*$/;

async function runStep(
  command: string,
  at: { root: string; workdir: string; env: Record<string, string>; scratch: string },
): Promise<string | undefined> {
  const cwd = path.join(at.root, at.workdir);
  if (NPM_CI.test(command)) {
    const modules = path.join(cwd, 'node_modules');
    if (/\s--omit=dev\b/.test(command)) await copyTree(path.join(await productionInstall(), 'node_modules'), modules);
    else await symlink(path.join(ROOT, 'node_modules'), modules, 'dir');
    return undefined;
  }
  if (/ONNXRUNTIME_NODE_INSTALL=cuda/.test(command)) {
    return `${command} (downloads the CUDA provider from NuGet and needs a GPU: neither is here)`;
  }
  // The image's absolute paths (not /dev) live under the stage's root.
  const local = command.replace(/(^|[\s"'=(])\/(?!dev\/)(?=[A-Za-z])/g, `$1${at.root}/`);
  await run('sh', ['-c', local], {
    cwd,
    env: { ...at.env, HOME: at.scratch, PATH: `${path.join(at.root, 'usr/local/bin')}:${path.dirname(node22())}:/usr/bin:/bin` },
    timeout: 300_000,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`RUN ${command}\nfailed: ${err.message}\n${err.stderr ?? ''}`);
  });
  return undefined;
}
