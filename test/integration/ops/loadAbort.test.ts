import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DownloadAbortedError } from '../../../lib/core/cache/errors';
import type { CachedWeights, WeightsCache } from '../../../lib/core/cache/WeightsCache';
import { RecordingSink } from '../../support/RecordingSink';
import { ModelLoader } from '../../../lib/core/onnx/ModelLoader';
import type { ModelSource } from '../../../lib/core/sources/ModelSource';
import { fixedShapeModel, writeModel } from '../../support/onnxModels';
import { tempDir } from '../../support/testHandler';

const path = writeModel(join(tempDir(), 'fixed.onnx'), fixedShapeModel());
const source: ModelSource = {
  uri: 's3://b/k',
  description: 's3://b/k',
  stat: async () => ({ size: 1, version: 'v' }),
  open: async () => {
    throw new Error('unused');
  },
};

/** A cache whose downloads finish when the test says, and stop (keeping 1234 bytes) when aborted. */
function controlledCache() {
  const fetches: Array<{ signal?: AbortSignal; finish: () => void }> = [];
  const cache = {
    fetch: (_s: ModelSource, _pin?: string, options: { signal?: AbortSignal } = {}) =>
      new Promise<CachedWeights>((resolve, reject) => {
        const weights: CachedWeights = {
          path,
          dir: dirname(path),
          files: [],
          size: 1,
          sha256: '',
          origin: 'download',
          attempts: 1,
          parts: 1,
          resumedBytes: fetches.length ? 1234 : 0,
          refetchedBytes: 0,
        };
        fetches.push({ signal: options.signal, finish: () => resolve(weights) });
        options.signal?.addEventListener('abort', () => reject(new DownloadAbortedError('aborted', 1234)), { once: true });
      }),
  } as unknown as WeightsCache;
  return { cache, fetches };
}

function loader() {
  const { cache, fetches } = controlledCache();
  const sink = new RecordingSink();
  return { loader: new ModelLoader({ name: 'm', source }, cache, { onLoad: (r) => sink.onLoad(r) }), fetches, sink };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

describe('a load whose waiters give up', () => {
  it('is stopped only when the last waiter gives up, keeping its bytes, and the next load resumes', async () => {
    const { loader: l, fetches, sink } = loader();
    const a = new AbortController();
    const b = new AbortController();
    const first = l.load({ signal: a.signal });
    const second = l.load({ signal: b.signal });
    await tick();
    expect(fetches).toHaveLength(1);

    a.abort(new Error('deadline a'));
    await expect(first).rejects.toThrow('deadline a');
    expect(fetches[0]?.signal?.aborted).toBe(false);

    b.abort(new Error('deadline b'));
    await expect(second).rejects.toThrow('deadline b');
    await tick();
    expect(fetches[0]?.signal?.aborted).toBe(true);
    expect(sink.loads[0]).toMatchObject({ outcome: 'aborted', keptBytes: 1234 });

    const third = l.load();
    await tick();
    expect(fetches).toHaveLength(2);
    fetches[1]?.finish();
    await expect(third).resolves.toMatchObject({ weights: { resumedBytes: 1234 } });
    expect(l.isLoaded).toBe(true);
    expect(sink.loads[1]).toMatchObject({ outcome: 'loaded', resumedBytes: 1234 });
  });

  it('is never stopped while a caller without a signal (an eager load) waits on it', async () => {
    const { loader: l, fetches } = loader();
    const eager = l.load();
    const a = new AbortController();
    const request = l.load({ signal: a.signal });
    a.abort(new Error('deadline'));
    await expect(request).rejects.toThrow('deadline');
    await tick();
    expect(fetches[0]?.signal?.aborted).toBe(false);
    fetches[0]?.finish();
    await expect(eager).resolves.toBeDefined();
  });

  it('answers a caller whose signal has already fired without starting anything it would abandon', async () => {
    const { loader: l, fetches } = loader();
    const a = new AbortController();
    a.abort(new Error('no time left'));
    await expect(l.load({ signal: a.signal })).rejects.toThrow('no time left');
    await tick();
    // The flight it created was stopped at once; nothing is left running.
    expect(fetches.every((f) => f.signal?.aborted)).toBe(true);
  });
});
