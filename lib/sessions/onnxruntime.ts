import { createRequire } from 'node:module';

type Onnxruntime = typeof import('onnxruntime-node');

/**
 * `require` from wherever this code runs: the CommonJS handler bundle (where import.meta.url is
 * empty and the lookup paths must include NODE_PATH, i.e. the layers in /opt/nodejs/node_modules:
 * a dynamic `import()` would not search them) or ESM under tsx and vitest.
 */
const load = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);

let runtime: Onnxruntime | undefined;
let version: string | undefined;

/**
 * onnxruntime-node, loaded on first use (~40 ms of module and native-library load on a cold
 * process): a handler's module load does not pay it, and a cold start's download runs before
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
