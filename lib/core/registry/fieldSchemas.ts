import { z } from 'zod';
import { GRAPH_OPTIMIZATION_LEVELS } from '../onnx/SessionOptions';

/**
 * Fields the registry (schema.ts) and the serve config (lib/serve/configSchema.ts) both have,
 * defined once so a model entry validates the same way in serverless.yml and in serve.yaml.
 */

/** A whole number from `min` to `max`, its messages naming the unit: `must be at least 128 MB`. */
export const wholeNumber = (min: number, max: number, unit: string) =>
  z
    .int({ error: `expected a whole number (${unit})` })
    .min(min, `must be at least ${min} ${unit}`)
    .max(max, `must be at most ${max} ${unit}`);

/** A sha256 pin: 64 hex characters in either case, lower-cased. */
export const Sha256Schema = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hexadecimal characters')
  .transform((s) => s.toLowerCase());

/** onnxruntime's graph optimization level, from the runtime's own list (lib/core/onnx/SessionOptions.ts). */
export const GraphOptimizationSchema = z.enum(GRAPH_OPTIMIZATION_LEVELS);

/** An onnxruntime execution provider's name: cpu, cuda, ... */
export const ExecutionProviderSchema = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'expected a provider name such as cpu');
