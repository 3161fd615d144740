import type { Architecture } from '../../core/registry/index';

const MiB = 1024 * 1024;

/**
 * Function settings when a model entry does not say. Why these numbers:
 * - timeout 29 s: API Gateway HTTP API gives up on an integration at 30 s, whatever Lambda's
 *   timeout; one second less lets the function answer with its own error instead of a 503.
 * - memory 2048 MB: Lambda gives about one vCPU per 1,769 MB and inference is CPU-bound; a
 *   session holds the weights once (about twice that while graph optimisation runs) plus Node.
 * - x86_64: the architecture the tests and the local stack run on; arm64 is cheaper per GB-s and
 *   its onnxruntime layer is half the size, one line per model to opt in.
 */
export const MODEL_FUNCTION_DEFAULTS = { memorySize: 2048, timeout: 29, architecture: 'x86_64' } as const satisfies {
  memorySize: number;
  timeout: number;
  architecture: Architecture;
};

/**
 * The package's own handlers, for the functions whose code is all onnxless's: a model with no
 * `handler:` and the server function. The plugin writes each as a one-line module in the
 * service's `.onnxless/handlers/` (packageHandlers.ts) that re-exports the public entry point, so
 * the bundler builds it like any handler of the user's, and the user's project holds no file for it.
 */
export const PACKAGE_HANDLERS = {
  tensor: { handler: '.onnxless/handlers/tensor.handler', module: 'onnxless/lambda/tensor' },
  server: { handler: '.onnxless/handlers/server.handler', module: 'onnxless/lambda/server' },
  repository: { handler: '.onnxless/handlers/repository.handler', module: 'onnxless/lambda/repository' },
} as const satisfies Record<string, { handler: string; module: string }>;

/** The server-level routes (/v2, /v2/health/*) answer from memory: small and quick. */
export const SERVER_FUNCTION = {
  key: 'server',
  handler: PACKAGE_HANDLERS.server.handler,
  memorySize: 256,
  timeout: 10,
  architecture: 'x86_64',
} as const satisfies { key: string; handler: string; memorySize: number; timeout: number; architecture: Architecture };

/**
 * The OpenAPI document, written by the plugin at every command from the registry and the
 * pipelines' declarations, shipped inside the server function's zip and served at /openapi.json.
 */
export const OPENAPI_FILE = '.onnxless/openapi.json';

export const LAMBDA_LIMITS = {
  memoryMb: { min: 128, max: 10_240 },
  ephemeralMb: { min: 512, max: 10_240 },
  functionName: 64,
  /** Environment variables of one function, names and values together. */
  environmentBytes: 4096,
} as const;

/**
 * /tmp the weights need: they stream to a temp file that is renamed into place (one copy on disk),
 * plus 10% and 256 MB for the runtime's own temp files. Never below Lambda's free 512 MB; the
 * caller reports a result above Lambda's 10,240 MB.
 */
export function ephemeralStorageMb(sizeBytes: number): number {
  return Math.max(LAMBDA_LIMITS.ephemeralMb.min, Math.ceil((sizeBytes * 1.1) / MiB) + 256);
}

/**
 * Memory for a model of known size: three times the weights (session copy, optimisation peak,
 * activations) plus 1 GB for Node and the runtime, in 64 MB steps, at least the default.
 */
export function memorySizeMb(sizeBytes: number | undefined): number {
  if (sizeBytes === undefined) return MODEL_FUNCTION_DEFAULTS.memorySize;
  const needed = Math.ceil(((3 * sizeBytes) / MiB + 1024) / 64) * 64;
  return Math.min(LAMBDA_LIMITS.memoryMb.max, Math.max(MODEL_FUNCTION_DEFAULTS.memorySize, needed));
}
