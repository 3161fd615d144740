import { threadId } from 'node:worker_threads';
import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { createSession, ProviderUnavailableError } from '../executionProviders';
import type { SessionReport, SessionSpec, WireTensor, WireValueMetadata, WorkerReply, WorkerTask } from '../workerProtocol';
import { keepHalfBitsAll } from '../../core/onnx/halfBits';

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

export default async function handle(task: WorkerTask): Promise<WorkerReply> {
  let created: SessionReport | undefined;
  let entry: WorkerSession;
  try {
    const key = `${task.spec.model}\u0000${task.spec.path}`;
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
    const feeds = keepHalfBitsAll(
      Object.fromEntries(Object.entries(task.feeds).map(([name, t]) => [name, new Tensor(t.type as never, t.data as never, t.dims)])),
    );
    const results = keepHalfBitsAll(task.fetches ? await entry.session.run(feeds, task.fetches) : await entry.session.run(feeds));
    const outputs: Record<string, WireTensor> = {};
    for (const [name, value] of Object.entries(results)) {
      const tensor = value as Tensor;
      outputs[name] = { type: tensor.type, dims: [...tensor.dims], data: tensor.data as WireTensor['data'] };
    }
    return { ok: true, kind: 'run', outputs, runMs: performance.now() - started, created };
  } catch (err) {
    return { ok: false, failure: 'run-failed', message: messageOf(err) };
  }
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
