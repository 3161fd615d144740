import type { MessagePort } from 'node:worker_threads';
import { OnnxlessError } from '../../core/errors';
import type { QueueTimeout } from '../../core/batching/QueueTimeout';
import type { PhaseDurations } from '../../core/observability/records';
import type { ProtocolLimits } from '../../core/protocol/limits';
import type { WireLoop, WireTensor, WireValueMetadata } from '../workerProtocol';

/**
 * What crosses into a processing thread: the request's bytes and what the thread must know of
 * the model to parse, validate, preprocess and encode, never the session itself (that lives in
 * the inference threads). Its session runs come back to the HTTP thread over `port`, where the
 * model's DynamicBatcher batches them with other requests' runs.
 */
export interface ModelView {
  name: string;
  version?: string;
  limits: ProtocolLimits;
  inputs: WireValueMetadata[];
  outputs: WireValueMetadata[];
  /** lib/core/builtins' name of the domain pipeline, for predict tasks. */
  pipeline?: string;
  /** The model's directory, where the pipeline finds its companion files. */
  filesDir?: string;
  /** The graph file the sessions were created from. */
  graphPath: string;
}

interface RequestBase {
  body: Uint8Array;
  contentType: string;
  port: MessagePort;
  /** When the request arrived (Date.now()), for its own timeout parameter. */
  receivedAt?: number;
}

interface TaskBase extends RequestBase {
  model: ModelView;
}

/**
 * A pipeline of models' whole predict call (the OCR pipeline's decoding, boxes and crops), run on
 * a processing thread like a model's: each member's runs come back over `port` tagged with its
 * role, to that member's batcher.
 */
export interface PipelineTask extends RequestBase {
  kind: 'pipeline';
  /** The served pipeline's name (its route, its turns). */
  name: string;
  /** lib/core/builtins' name of the pipeline of models. */
  pipeline: string;
  members: Record<string, ModelView>;
  query: Record<string, string | undefined>;
}

export type ProcessingTask =
  | (TaskBase & { kind: 'infer'; headerLength?: string })
  | (TaskBase & { kind: 'predict'; query: Record<string, string | undefined> })
  | PipelineTask;

/** A task as its sender builds it: the pool adds the port (each kind keeps its own fields). */
export type ProcessingRequest = ProcessingTask extends infer T ? (T extends unknown ? Omit<T, 'port'> : never) : never;

type Phases = Omit<PhaseDurations, 'total'>;

export type ProcessingReply =
  | { ok: true; kind: 'infer'; json: string; binary?: Uint8Array[]; phases: Phases }
  | { ok: true; kind: 'predict'; result: unknown; phases: Phases }
  | { ok: false; error: WireError; phases: Phases };

/** A session run, or a whole recurrent loop, asked for by a processing thread, and its answer. */
export type RunRequest =
  | { id: number; feeds: Record<string, WireTensor>; fetches?: string[]; timeout?: QueueTimeout; member?: string }
  | { id: number; loop: WireLoop; member?: string };
export type RunAnswer =
  | { id: number; outputs: Record<string, WireTensor> }
  | { id: number; steps: Array<Record<string, WireTensor>> }
  | { id: number; error: WireError };

/** An error as plain data: its class name, message and, for an OnnxlessError, its status. */
export interface WireError {
  name: string;
  message: string;
  status?: number;
  expose?: boolean;
  headers?: Record<string, string>;
}

export function toWireError(err: unknown): WireError {
  if (err instanceof OnnxlessError)
    return { name: err.name, message: err.message, status: err.status, expose: err.expose, headers: err.headers };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

/** The error again, with its status: a 429 from the queue or a 400 from a pipeline keeps it across threads. */
export function fromWireError(wire: WireError): Error {
  const err =
    wire.status === undefined
      ? new Error(wire.message)
      : new OnnxlessError(wire.status, wire.message, { expose: wire.expose, headers: wire.headers });
  err.name = wire.name;
  return err;
}
