import { Worker } from 'node:worker_threads';
import { sha256OfFile } from './sha256OfFile';

/**
 * Below this many bytes in all, hashing on the calling thread (reads are async, the hash of a
 * few MB takes milliseconds) costs less than starting a worker thread (docs/benchmarks.md, "Figures behind the code").
 */
const WORKER_THRESHOLD_BYTES = 8 * 1024 * 1024;

// Inline source, not a file: the handlers are bundled into one file per function, and an
// eval'd worker needs nothing beside it on disk.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { createReadStream } = require('node:fs');
(async () => {
  const out = [];
  for (const path of workerData) {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk);
    out.push(hash.digest('hex'));
  }
  parentPort.postMessage(out);
})().catch((err) => parentPort.postMessage({ error: String(err && err.message || err) }));
`;

/**
 * sha256 of each file, in order. Large sets hash on a worker thread, so the calling thread
 * stays free: the loader creates the onnxruntime session (a blocking native call) while the
 * hash runs, and the server's HTTP thread keeps answering.
 */
export async function hashFiles(paths: readonly string[], totalBytes: number): Promise<string[]> {
  if (totalBytes < WORKER_THRESHOLD_BYTES) {
    const out: string[] = [];
    for (const path of paths) out.push(await sha256OfFile(path));
    return out;
  }
  return new Promise<string[]>((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: [...paths] });
    worker.once('message', (reply: string[] | { error: string }) => {
      void worker.terminate();
      if (Array.isArray(reply)) resolve(reply);
      else reject(new Error(`hashing ${paths.join(', ')} failed: ${reply.error}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the hashing thread exited with code ${code}`)));
  });
}
