import { threadId } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { createSession, ProviderUnavailableError } from '../executionProviders';
import {
  fromWire,
  mapTensors,
  movableBuffers,
  toWire,
  type SessionReport,
  type SessionSpec,
  type WireLoop,
  type WireTensor,
  type WireValueMetadata,
  type WorkerReply,
  type WorkerTask,
} from '../workerProtocol';
import { keepHalfBitsAll } from '../../core/onnx/halfBits';
import { runLoopSteps } from '../../core/processing/model/runRecurrent';

/**
 * One worker thread of the server's pool. It holds its own session per model, created on its
 * first task for that model (from the file the main thread verified), so `session.run` and
 * session creation, both blocking native calls, never touch the main event loop.
 */
interface WorkerSession {
  session: InferenceSession;
  report: SessionReport;
}

const sessions = new Map<string, Promise<WorkerSession>>();

const keyOf = (spec: SessionSpec) => `${spec.model}\u0000${spec.path}`;

/**
 * The pool's entry: each task's reply, its tensors moved to the HTTP thread rather than cloned
 * (a clone is deserialised there, on the thread that must stay free; these outputs are this
 * thread's own and never read here again).
 */
export default async function reply(task: WorkerTask): Promise<WorkerReply> {
  const answer = await handle(task);
  if (!answer.ok || (answer.kind !== 'run' && answer.kind !== 'loop')) return answer;
  const tensors = answer.kind === 'run' ? Object.values(answer.outputs) : answer.steps.flatMap((step) => Object.values(step));
  const buffers = movableBuffers(tensors);
  if (buffers.length === 0) return answer;
  return move({ [transferableSymbol]: buffers, [valueSymbol]: answer }) as unknown as WorkerReply;
}

async function handle(task: WorkerTask): Promise<WorkerReply> {
  if (task.kind === 'unload') return { ok: true, kind: 'unload', released: await release(keyOf(task.spec)) };
  let created: SessionReport | undefined;
  let entry: WorkerSession;
  try {
    const key = keyOf(task.spec);
    let pending = sessions.get(key);
    if (!pending) {
      pending = open(task.spec);
      sessions.set(key, pending);
      // A failed creation is forgotten: the next task tries again.
      pending.catch(() => sessions.delete(key));
      entry = await pending;
      created = entry.report;
    } else {
      entry = await pending;
    }
  } catch (err) {
    return {
      ok: false,
      failure: err instanceof ProviderUnavailableError ? 'provider-unavailable' : 'load-failed',
      message: messageOf(err),
    };
  }
  if (task.kind === 'load') {
    return {
      ok: true,
      kind: 'load',
      inputs: entry.session.inputMetadata.map(plainMetadata),
      outputs: entry.session.outputMetadata.map(plainMetadata),
      created,
    };
  }
  try {
    const started = performance.now();
    if (task.kind === 'loop') {
      const steps = await runLoop(entry.session, task.loop);
      return { ok: true, kind: 'loop', steps, runMs: performance.now() - started, created };
    }
    const outputs = mapTensors(await run(entry.session, mapTensors(task.feeds, fromWire), task.fetches), toWire);
    return { ok: true, kind: 'run', outputs, runMs: performance.now() - started, created };
  } catch (err) {
    return { ok: false, failure: 'run-failed', message: messageOf(err) };
  }
}

/**
 * Forgets the session and releases its native memory. This thread runs one task at a time, so
 * no run of it is in flight here; one created meanwhile by a later task is a new session.
 */
async function release(key: string): Promise<boolean> {
  const pending = sessions.get(key);
  if (!pending) return false;
  sessions.delete(key);
  const entry = await pending.catch(() => undefined);
  if (!entry) return false;
  await entry.session.release();
  return true;
}

async function run(session: InferenceSession, feeds: Record<string, Tensor>, fetches?: string[]): Promise<Record<string, Tensor>> {
  keepHalfBitsAll(feeds);
  return keepHalfBitsAll((fetches ? await session.run(feeds, fetches) : await session.run(feeds)) as Record<string, Tensor>);
}

/** A recurrent loop in one task: every step on this thread's session, only the kept outputs sent back. */
async function runLoop(session: InferenceSession, loop: WireLoop): Promise<Array<Record<string, WireTensor>>> {
  const steps: Array<Record<string, WireTensor>> = [];
  await runLoopSteps(
    (feeds) => run(session, feeds),
    {
      frameInput: loop.frameInput,
      frames: loop.frames.map(fromWire),
      state: loop.state,
      initialState: mapTensors(loop.initialState, fromWire),
      constants: loop.constants && mapTensors(loop.constants, fromWire),
    },
    (outputs) => steps.push(Object.fromEntries(loop.keep.map((name) => [name, keptOutput(outputs, name)]))),
  );
  return steps;
}

function keptOutput(outputs: Record<string, Tensor>, name: string): WireTensor {
  const tensor = outputs[name];
  if (tensor === undefined) throw new Error(`model returned no '${name}' to keep; outputs: ${Object.keys(outputs).join(', ')}`);
  return toWire(tensor);
}

async function open(spec: SessionSpec): Promise<WorkerSession> {
  const started = performance.now();
  const { session, providers, fallback } = await createSession(spec);
  return { session, report: { providers, fallback, loadMs: performance.now() - started, threadId } };
}

function plainMetadata(meta: InferenceSession.ValueMetadata): WireValueMetadata {
  return meta.isTensor
    ? { name: meta.name, isTensor: true, type: meta.type, shape: [...meta.shape] }
    : { name: meta.name, isTensor: false };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
