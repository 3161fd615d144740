/**
 * Environment names the server reads beyond the handler's own (lib/config/env.ts): the same
 * image runs as a Lambda function or, with these, as a long-running server.
 */
export const SERVER_ENV = {
  port: 'ONNXLESS_PORT',
  workers: 'ONNXLESS_WORKERS',
  modelDir: 'ONNXLESS_MODEL_DIR',
  cpuFallback: 'ONNXLESS_CPU_FALLBACK',
  pipeline: 'ONNXLESS_PIPELINE',
  maxBatchSize: 'ONNXLESS_MAX_BATCH_SIZE',
  maxQueueDelayMs: 'ONNXLESS_MAX_QUEUE_DELAY_MS',
  maxQueueSize: 'ONNXLESS_MAX_QUEUE_SIZE',
} as const;
