import { runtimeRequire as load } from '../runtimeRequire';

type Onnxruntime = typeof import('onnxruntime-node');

let runtime: Onnxruntime | undefined;
let version: string | undefined;

/**
 * onnxruntime-node, loaded on first use (its module and native-library load is a large part of
 * a cold process's init): a handler's module load does not pay it, and a cold start's download runs before
 * it. Later calls return the same module.
 */
export function onnxruntime(): Onnxruntime {
  runtime ??= load('onnxruntime-node') as Onnxruntime;
  return runtime;
}

/** The onnxruntime-node version, from its package.json, without loading the native binding. */
export function onnxruntimeVersion(): string {
  version ??= (load('onnxruntime-node/package.json') as { version: string }).version;
  return version;
}
