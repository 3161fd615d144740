import { describe, expect, it } from 'vitest';
import { chooseForm } from '../../../lib/core/cache/graphForm';
import type { ModelManifest } from '../../../lib/core/sources/ModelManifest';

const sha = 'b'.repeat(64);
const graph = (path: string, onnxruntime: string) => ({ path, size: 1, sha256: sha, onnxruntime, level: 'extended' as const });
const manifest = (extra: Partial<ModelManifest>): ModelManifest => ({
  format: 'onnxless.model/1',
  model: 'model.onnx',
  files: [{ path: 'model.onnx', size: 1, sha256: sha }],
  ...extra,
});

describe('which graph a loader fetches', () => {
  it('takes the ORT-format model when the running onnxruntime wrote it, before the pre-optimised graph', () => {
    const both = manifest({ optimized: graph('model.extended.onnx', '1.30.0'), ort: graph('model.ort', '1.30.0') });
    expect(chooseForm(both, '1.30.0')).toEqual({ form: 'ort' });
  });

  it('falls back to the pre-optimised graph, or the original, when another version wrote model.ort, saying both versions', () => {
    const ort = graph('model.ort', '1.29.0');
    expect(chooseForm(manifest({ ort, optimized: graph('model.extended.onnx', '1.30.0') }), '1.30.0')).toEqual({
      form: 'optimized',
      fallback: 'model.ort was written by onnxruntime 1.29.0, this function runs onnxruntime 1.30.0: loading the ONNX graph instead',
    });
    expect(chooseForm(manifest({ ort }), '1.30.0')).toMatchObject({ form: 'original', fallback: expect.stringContaining('1.29.0') });
  });

  it('takes the original, with nothing to log, for a loader that asks for no pre-built graph or a manifest without one', () => {
    expect(chooseForm(manifest({ ort: graph('model.ort', '1.30.0') }), undefined)).toEqual({ form: 'original' });
    expect(chooseForm(manifest({}), '1.30.0')).toEqual({ form: 'original' });
  });
});
