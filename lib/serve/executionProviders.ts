import { NamedError } from '../core/errors';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { toSessionOptions } from '../core/onnx/SessionOptions';
import type { SessionSpec } from './workerProtocol';

/** A requested execution provider cannot be used and the model's entry does not allow CPU instead. */
export class ProviderUnavailableError extends NamedError {
  constructor(
    readonly model: string,
    readonly providers: readonly string[],
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

export interface CreatedSession {
  session: InferenceSession;
  providers: string[];
  /** Why the session runs on CPU although something else was asked for. */
  fallback?: string;
}

/**
 * Creates the model's session with its providers in order of preference. When that fails and
 * a non-CPU provider was asked for, a CPU-only attempt tells a provider problem (CPU works)
 * from a model problem (CPU fails too): the first falls back only if the entry allows it.
 */
export async function createSession(spec: SessionSpec): Promise<CreatedSession> {
  const requested = [...(spec.session.executionProviders ?? ['cpu'])];
  try {
    // onnxruntime would print its own red "Failed to load library" line for an expected absence.
    const absent = absentProviderLibrary(requested);
    if (absent !== undefined) throw new Error(`Failed to load library ${absent}: not installed`);
    return { session: await InferenceSession.create(spec.path, toSessionOptions(spec.session)), providers: requested };
  } catch (err) {
    const accelerators = requested.filter((p) => p !== 'cpu');
    if (accelerators.length === 0) throw err;
    let cpu: InferenceSession;
    try {
      cpu = await InferenceSession.create(spec.path, toSessionOptions({ ...spec.session, executionProviders: ['cpu'] }));
    } catch {
      throw err;
    }
    const why = describeMissingProvider(accelerators, err);
    if (spec.cpuFallback) return { session: cpu, providers: ['cpu'], fallback: why };
    await cpu.release();
    throw new ProviderUnavailableError(
      spec.model,
      accelerators,
      `model '${spec.model}': ${why}. Set cpuFallback: true in the model's entry to run it on CPU instead.`,
      { cause: err },
    );
  }
}

/**
 * Names what is missing, most basic first: onnxruntime-node's CUDA provider library (it is
 * only installed with ONNXRUNTIME_NODE_INSTALL=cuda12), an NVIDIA driver, then CUDA/cuDNN.
 */
export function describeMissingProvider(
  providers: readonly string[],
  err: unknown,
  probe: { exists: (path: string) => boolean; bindingDir: string | undefined } = {
    exists: existsSync,
    bindingDir: onnxruntimeBindingDir(),
  },
): string {
  const ort = err instanceof Error ? err.message : String(err);
  const list = providers.join(', ');
  if (providers.some((p) => p === 'cuda' || p === 'tensorrt')) {
    const lib = probe.bindingDir === undefined ? undefined : join(probe.bindingDir, 'libonnxruntime_providers_cuda.so');
    if (lib !== undefined && !probe.exists(lib)) {
      return (
        `execution provider ${list} could not be loaded: onnxruntime-node was installed without its CUDA provider ` +
        `(${lib} is missing; reinstall it with ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node) [onnxruntime: ${ort}]`
      );
    }
    if (!probe.exists('/proc/driver/nvidia/version')) {
      return (
        `execution provider ${list} could not be loaded: no NVIDIA driver is visible (/proc/driver/nvidia/version is missing; ` +
        `on Docker run with --gpus all, on SageMaker pick a GPU instance type) [onnxruntime: ${ort}]`
      );
    }
    return (
      `execution provider ${list} could not be loaded: the CUDA 12 runtime or cuDNN 9 libraries could not be opened ` +
      `(use an nvidia/cuda:12.x-cudnn-runtime base image or put them on LD_LIBRARY_PATH) [onnxruntime: ${ort}]`
    );
  }
  return `execution provider ${list} could not be loaded [onnxruntime: ${ort}]`;
}

/** Provider libraries onnxruntime-node loads from its binding folder (installed with ONNXRUNTIME_NODE_INSTALL=cuda12). */
const PROVIDER_LIBRARIES: Readonly<Record<string, readonly string[]>> = {
  cuda: ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'],
  tensorrt: ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_tensorrt.so'],
};

/** The first library a requested provider needs that is not there: asking onnxruntime would only log its absence. */
export function absentProviderLibrary(
  providers: readonly string[],
  probe: { exists: (path: string) => boolean; bindingDir: string | undefined } = {
    exists: existsSync,
    bindingDir: onnxruntimeBindingDir(),
  },
): string | undefined {
  const { bindingDir } = probe;
  if (bindingDir === undefined || process.platform !== 'linux') return undefined;
  return providers
    .flatMap((p) => PROVIDER_LIBRARIES[p] ?? [])
    .map((lib) => join(bindingDir, lib))
    .find((path) => !probe.exists(path));
}

/** Where onnxruntime-node keeps its native libraries for this platform. */
export function onnxruntimeBindingDir(): string | undefined {
  try {
    const main = createRequire(import.meta.url).resolve('onnxruntime-node');
    // .../onnxruntime-node/dist/index.js -> .../onnxruntime-node/bin/napi-v6/<platform>/<arch>
    return join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}
