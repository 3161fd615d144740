import { afterAll, describe, expect, it } from 'vitest';
import { describeMissingProvider } from '../../../lib/serve/executionProviders';
import { call, startTestServer, tempDir } from './helpers';
import { writeModels } from './models';

const infer = {
  inputs: [
    { name: 'x', datatype: 'FP32', shape: [1, 16], data: Array.from({ length: 16 }, (_, i) => i / 16) },
    { name: 'ids', datatype: 'INT32', shape: [1, 4], data: [1, 2, 3, 4] },
  ],
};

describe('execution providers per model', () => {
  const paths = writeModels(tempDir(), 1);
  const servers: Array<Awaited<ReturnType<typeof startTestServer>>> = [];

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.drain(5000)));
  });

  it('refuses to load a CUDA model without CUDA, naming what is missing, when CPU fallback is off', async () => {
    const server = await startTestServer({
      workers: 2,
      models: { gpu: { weights: paths.batchable, executionProviders: ['cuda'], eager: false } },
    });
    servers.push(server);
    const reply = await call(server.url, 'POST', '/v2/models/gpu/infer', infer);
    expect(reply.status).toBe(503);
    const message = reply.json().error as string;
    expect(message).toContain("model 'gpu'");
    expect(message).toMatch(/execution provider cuda could not be loaded/);
    // This machine's onnxruntime-node was installed without the CUDA provider: the message says which file and how to get it.
    expect(message).toMatch(/libonnxruntime_providers_cuda\.so|NVIDIA driver|CUDA 12 runtime/);
    expect(message).toContain('cpuFallback: true');
    expect((await call(server.url, 'GET', '/ping')).status).toBe(200);
  });

  it('runs a CUDA model on CPU when its entry allows fallback, with one log line for all workers', async () => {
    const server = await startTestServer({
      workers: 2,
      models: { gpu: { weights: paths.batchable, executionProviders: ['cuda'], cpuFallback: true } },
    });
    servers.push(server);
    const replies = await Promise.all(Array.from({ length: 6 }, () => call(server.url, 'POST', '/v2/models/gpu/infer', infer)));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const fallbacks = server.logs.filter((l) => l.level === 'WARN' && l.message.includes('runs on CPU'));
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]!.message).toMatch(/model 'gpu' runs on CPU: execution provider cuda could not be loaded/);
    expect(fallbacks[0]!.fields.providers).toEqual(['cpu']);
  });

  it('says what to install, what to run with, or what to put on the library path, in that order', () => {
    const err = new Error('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library');
    const noLib = describeMissingProvider(['cuda'], err, { exists: () => false, bindingDir: '/ort/bin' });
    expect(noLib).toContain('/ort/bin/libonnxruntime_providers_cuda.so is missing');
    expect(noLib).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
    const noDriver = describeMissingProvider(['cuda'], err, { exists: (p) => p.endsWith('.so'), bindingDir: '/ort/bin' });
    expect(noDriver).toContain('no NVIDIA driver is visible');
    const noCudnn = describeMissingProvider(['cuda'], err, { exists: () => true, bindingDir: '/ort/bin' });
    expect(noCudnn).toContain('CUDA 12 runtime or cuDNN 9');
    expect(noCudnn).toContain('Failed to load shared library');
  });
});
