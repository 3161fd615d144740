import { Tensor } from 'onnxruntime-node';
import type { BatchTensor, TensorElements } from '../core/batching/BatchTensor';
import type { SessionSettings } from '../core/onnx/SessionOptions';

/**
 * What crosses the worker-thread boundary: plain, structured-clonable data only (an
 * onnxruntime `Tensor` is a class instance with getters; it is flattened to this first).
 */
export interface WireTensor {
  type: string;
  dims: number[];
  data: TensorElements;
}

/** Everything a worker needs to create the model's session on its own, from the cached file. */
export interface SessionSpec {
  model: string;
  /** Local path of the verified weights (the main thread fetched them once for every worker). */
  path: string;
  session: SessionSettings;
  /** Whether a missing accelerator provider may fall back to CPU. */
  cpuFallback: boolean;
  /** Whose turns its runs take on the shared threads (a pipeline member: the pipeline's); default the model. */
  flow?: string;
}

/** onnxruntime's ValueMetadata, as plain data. */
export interface WireValueMetadata {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: Array<number | string>;
}

/** A recurrent loop (lib/core/pipeline's RecurrentLoop) as plain data: one task on one worker. */
export interface WireLoop {
  frameInput: string;
  frames: WireTensor[];
  state: Record<string, string>;
  initialState: Record<string, WireTensor>;
  constants?: Record<string, WireTensor>;
  keep: string[];
}

export type WorkerTask =
  | { kind: 'load'; spec: SessionSpec }
  | { kind: 'run'; spec: SessionSpec; feeds: Record<string, WireTensor>; fetches?: string[] }
  | { kind: 'loop'; spec: SessionSpec; loop: WireLoop }
  /** Releases the thread's session of the spec's model and file (serve's unload, a repository's eviction). */
  | { kind: 'unload'; spec: SessionSpec };

/** How a worker's session came to be: reported with the first task that created it. */
export interface SessionReport {
  /** Providers the session really uses. */
  providers: string[];
  /** Set when a requested provider could not be loaded and the entry allowed CPU instead. */
  fallback?: string;
  loadMs: number;
  threadId: number;
}

export type FailureKind =
  /** A requested execution provider (cuda, ...) cannot be loaded and CPU fallback is off. */
  | 'provider-unavailable'
  /** onnxruntime could not create the session (bad file, unsupported opset, out of memory). */
  | 'load-failed'
  /** session.run failed. */
  | 'run-failed';

export type WorkerReply =
  | {
      ok: true;
      kind: 'load';
      inputs: WireValueMetadata[];
      outputs: WireValueMetadata[];
      /** Present when this task created the worker's session. */
      created?: SessionReport;
    }
  | { ok: true; kind: 'run'; outputs: Record<string, WireTensor>; runMs: number; created?: SessionReport }
  /** Each step's kept outputs, in order; runMs covers the whole loop. */
  | { ok: true; kind: 'loop'; steps: Array<Record<string, WireTensor>>; runMs: number; created?: SessionReport }
  /** `released`: this thread held a session of the model, and it is gone. */
  | { ok: true; kind: 'unload'; released: boolean }
  | { ok: false; failure: FailureKind; message: string };

/**
 * The buffers of these tensors that may be moved, not copied, by postMessage: each one whose view
 * covers all of its ArrayBuffer (a batch's split outputs are views into one buffer, and share it).
 * Moving matters on the HTTP thread: cloning a page's tensors there (a detection input of ~9 MB,
 * its map, the recogniser's scores) took ~50 ms of its CPU a page in a profile of an OCR server.
 * Only for tensors the sender never reads again: a moved buffer is detached on its side.
 */
export function movableBuffers(tensors: Iterable<Readonly<WireTensor>>): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { data } of tensors) {
    if (!ArrayBuffer.isView(data)) continue;
    const { buffer } = data;
    if (buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === buffer.byteLength) buffers.add(buffer);
  }
  return [...buffers];
}

/** A task's tensors, every one of them. */
export function tensorsOf(task: WorkerTask): WireTensor[] {
  if (task.kind === 'run') return Object.values(task.feeds);
  if (task.kind === 'loop') {
    const { frames, initialState, constants } = task.loop;
    return [...frames, ...Object.values(initialState), ...Object.values(constants ?? {})];
  }
  return [];
}

/** A tensor as it crosses a thread boundary (its data is shared, not copied, until postMessage clones it). */
export function toWire(tensor: Tensor): WireTensor {
  return { type: tensor.type, dims: [...tensor.dims], data: tensor.data as WireTensor['data'] };
}

export function fromWire(wire: Readonly<WireTensor> | BatchTensor): Tensor {
  return new Tensor(wire.type as never, wire.data as never, wire.dims);
}

/** Every tensor of a map, through `convert`. */
export function mapTensors<A, B>(tensors: Readonly<Record<string, A>>, convert: (tensor: A) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, convert(t)]));
}
