import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { arch, cpus } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { CachedWeights } from '../cache/WeightsCache';
import { onnxruntimeVersion } from './onnxruntime';

interface Identity {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** Beside the graph: what it was made from and its own identity once in place. */
interface MachineGraphRecord {
  machine: string;
  source: Identity;
  graph: Identity;
}

let machine: string | undefined;

const MAX_MODEL_BYTES = 256 * 1024 * 1024;

/**
 * This machine as onnxruntime's `all` level sees it: its version, the CPU architecture, model
 * and feature flags (the NCHWc layouts and kernels it picks depend on AVX2/AVX-512/NEON).
 * Another onnxruntime or another CPU gets another key, so never this graph.
 */
export function machineKey(): string {
  if (machine === undefined) {
    let flags = '';
    try {
      flags = /^(?:flags|Features)\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    } catch {
      // Not Linux: the CPU model alone.
    }
    machine = createHash('sha256')
      .update([onnxruntimeVersion(), arch(), cpus()[0]?.model ?? '', flags].join('\n'))
      .digest('hex')
      .slice(0, 16);
  }
  return machine;
}

async function identity(path: string): Promise<Identity> {
  const s = await stat(path);
  return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs };
}

const same = (a: Identity, b: Identity): boolean =>
  a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;

/**
 * The model's graph fully optimised (`all`, with this machine's layouts) by this machine's
 * onnxruntime, kept in the /tmp cache beside the graph it was made from, so external data
 * resolves from it alike. The first session of a sandbox writes it while being created
 * (`optimizedModelFilePath`); a restart in the same sandbox creates its session from it with
 * optimisation disabled. Trusted only while its record matches: this machine's key, the source
 * graph unchanged since (inode, size, mtime, ctime), and the graph itself as it was renamed into
 * place; anything else is ignored and written again.
 */
export class MachineGraph {
  readonly path: string;
  private readonly record: string;

  constructor(private readonly source: string) {
    const name = basename(source).replace(/\.onnx$/, '');
    this.path = join(dirname(source), `.${name}.machine-${machineKey()}.onnx`);
    this.record = `${this.path}.json`;
  }

  /**
   * Only graphs in the cache (a local file's folder belongs to its user), and only models up to
   * MAX_MODEL_BYTES: a bigger model's session time is mostly reading its weights, which this
   * graph does not change, while writing it would rewrite every initializer a layout touched.
   */
  static for(weights: CachedWeights): MachineGraph | undefined {
    return weights.origin === 'local-file' || weights.size > MAX_MODEL_BYTES ? undefined : new MachineGraph(weights.path);
  }

  async valid(): Promise<boolean> {
    try {
      const record = JSON.parse(await readFile(this.record, 'utf8')) as MachineGraphRecord;
      const [source, graph] = await Promise.all([identity(this.source), identity(this.path)]);
      return record.machine === machineKey() && same(record.source, source) && same(record.graph, graph);
    } catch {
      return false;
    }
  }

  /** Where onnxruntime writes it: unique, renamed into place by `place`. */
  tempPath(): string {
    return `${this.path}.partial-${process.pid}-${Math.random().toString(36).slice(2)}`;
  }

  /** Put a written graph in place, its record last. `verified` is the source's pending hash, if any: a graph from unverified bytes is never kept. */
  async place(temp: string, verified?: Promise<void>): Promise<void> {
    try {
      if (verified) await verified;
      await rename(temp, this.path);
      const record: MachineGraphRecord = { machine: machineKey(), source: await identity(this.source), graph: await identity(this.path) };
      await writeFile(`${temp}.json`, JSON.stringify(record));
      await rename(`${temp}.json`, this.record);
    } catch {
      // Only a shortcut for the next restart: without it, that restart optimises again.
      await Promise.all([rm(temp, { force: true }), rm(`${temp}.json`, { force: true })]);
    }
  }

  /** A write that failed: drop its temp file. */
  async abandon(temp: string): Promise<void> {
    await rm(temp, { force: true });
  }

  async discard(): Promise<void> {
    await Promise.all([rm(this.record, { force: true }), rm(this.path, { force: true })]);
  }
}
