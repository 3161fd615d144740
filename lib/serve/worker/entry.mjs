// The pool's worker entry. Workers start a fresh module graph, so TypeScript support is
// registered here, in the worker itself, before the TypeScript worker is imported.
import { getPriority, setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

// Inference runs at a lower CPU priority than the HTTP thread: on Linux the nice value is per
// thread (and inherited by onnxruntime's own threads, created later), so under full load the
// event loop still gets the CPU first and /ping answers in milliseconds, not after a run.
const nice = Number(workerData?.nice ?? 0);
if (nice > 0) {
  try {
    setPriority(0, Math.min(19, getPriority(0) + nice));
  } catch {
    // Not permitted here (some sandboxes): inference keeps the default priority.
  }
}

register();
// One entry for both pools: the inference threads (sessions) and the processing threads.
const worker = await import(workerData?.module ?? './inferenceWorker.ts');

export default worker.default;
