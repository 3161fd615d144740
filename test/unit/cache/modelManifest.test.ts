import { describe, expect, it } from 'vitest';
import { FailureBackoff } from '../../../lib/core/cache/FailureBackoff';
import {
  InvalidManifestError,
  graphView,
  isSafeRelativePath,
  parseManifest,
  serializeManifest,
} from '../../../lib/core/sources/ModelManifest';

const sha = 'a'.repeat(64);
const ONE = [{ path: 'model.onnx', size: 1, sha256: sha }];
const OPTIMIZED = { path: 'model.extended.onnx', size: 1, sha256: sha, onnxruntime: '1.30.0', level: 'extended' };
const manifest = (files: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ format: 'onnxless.model/1', model: 'model.onnx', files, ...extra });

describe('the model manifest', () => {
  it('serialises canonically: the same files in any order give the same bytes (and so the same pin)', () => {
    const a = serializeManifest({
      model: 'model.onnx',
      files: [
        { path: 'model.onnx', size: 1, sha256: sha },
        { path: 'b.txt', size: 2, sha256: sha },
      ],
    });
    const b = serializeManifest({
      model: 'model.onnx',
      files: [
        { path: 'b.txt', size: 2, sha256: sha },
        { path: 'model.onnx', size: 1, sha256: sha },
      ],
    });
    expect(a).toBe(b);
    expect(parseManifest(a, 'm').files.map((f) => f.path)).toEqual(['b.txt', 'model.onnx']);
  });

  it.each([
    ['a path that climbs out of the directory', manifest([{ path: '../etc/passwd', size: 1, sha256: sha }]), /files\[0\]\.path/],
    ['an absolute path', manifest([{ path: '/model.onnx', size: 1, sha256: sha }]), /files\[0\]\.path/],
    [
      'the same file twice',
      manifest([
        { path: 'model.onnx', size: 1, sha256: sha },
        { path: 'model.onnx', size: 1, sha256: sha },
      ]),
      /listed twice/,
    ],
    ['the manifest itself', manifest([{ path: 'manifest.json', size: 1, sha256: sha }]), /does not list itself/],
    ['a model file it does not list', manifest([{ path: 'other.onnx', size: 1, sha256: sha }]), /not among the files/],
    ['a bad hash', manifest([{ path: 'model.onnx', size: 1, sha256: 'x' }]), /sha256/],
    ['a negative size', manifest([{ path: 'model.onnx', size: -1, sha256: sha }]), /size/],
    ['another format', manifest([{ path: 'model.onnx', size: 1, sha256: sha }], { format: 'v9' }), /format/],
    ['no JSON at all', 'not json', /not JSON/],
    [
      'a pre-optimised graph at a hardware-specific level',
      manifest(ONE, { optimized: { ...OPTIMIZED, level: 'all' } }),
      /optimized\.level/,
    ],
    [
      'a pre-optimised graph that is one of the files',
      manifest(ONE, { optimized: { ...OPTIMIZED, path: 'model.onnx' } }),
      /optimized\.path/,
    ],
    [
      'a pre-optimised graph without its onnxruntime version',
      manifest(ONE, { optimized: { ...OPTIMIZED, onnxruntime: undefined } }),
      /optimized\.onnxruntime/,
    ],
    ['a pre-optimised graph with a bad hash', manifest(ONE, { optimized: { ...OPTIMIZED, sha256: 'x' } }), /optimized\.sha256/],
  ])('refuses %s, naming the field', (_what, text, why) => {
    expect(() => parseManifest(text, 's3://b/m/1/manifest.json')).toThrow(InvalidManifestError);
    expect(() => parseManifest(text, 's3://b/m/1/manifest.json')).toThrow(why);
  });

  it('keeps a pre-optimised graph in canonical bytes, and graphView swaps it in for the original', () => {
    const text = serializeManifest({
      model: 'model.onnx',
      files: [...ONE, { path: 'keys.txt', size: 2, sha256: sha }],
      optimized: { ...OPTIMIZED, level: 'extended' },
    });
    const parsed = parseManifest(text, 'm');
    expect(serializeManifest(parsed)).toBe(text);
    expect(graphView(parsed, 'optimized')).toMatchObject({
      model: 'model.extended.onnx',
      files: [{ path: 'keys.txt' }, { path: 'model.extended.onnx', size: 1 }],
    });
    expect(graphView(parsed, 'original')).toBe(parsed);
  });

  it('keeps an ORT-format model in canonical bytes beside the pre-optimised graph, and graphView swaps it in for the original', () => {
    const ort = { path: 'model.ort', size: 3, sha256: sha, onnxruntime: '1.30.0', level: 'extended' as const };
    const text = serializeManifest({ model: 'model.onnx', files: ONE, optimized: { ...OPTIMIZED, level: 'extended' }, ort });
    const parsed = parseManifest(text, 'm');
    expect([parsed.ort, serializeManifest(parsed)]).toEqual([ort, text]);
    expect(graphView(parsed, 'ort')).toMatchObject({ model: 'model.ort', files: [{ path: 'model.ort', size: 3 }] });
  });

  it.each([
    ['an ort entry naming one of the files', { ort: { ...OPTIMIZED, path: 'model.onnx' } }, "ort.path: 'model.onnx' is the manifest"],
    ['an ort entry naming the pre-optimised graph', { optimized: OPTIMIZED, ort: OPTIMIZED }, "ort.path: 'model.extended.onnx'"],
    ['an ort entry without a version', { ort: { ...OPTIMIZED, path: 'model.ort', onnxruntime: 'latest' } }, 'ort.onnxruntime'],
  ])('refuses %s, naming the field', (_what, extra, why) => {
    expect(() => parseManifest(manifest(ONE, extra), 'm')).toThrow(why);
  });

  it('accepts nested relative paths and refuses dot segments', () => {
    expect(isSafeRelativePath('tokenizer/vocab.txt')).toBe(true);
    expect(isSafeRelativePath('a/./b')).toBe(false);
    expect(isSafeRelativePath('a//b')).toBe(false);
  });
});

describe('FailureBackoff', () => {
  it('blocks a failed model for 10 s, doubling on each further failure up to the cap, and forgets it on success', () => {
    let now = 0;
    const backoff = new FailureBackoff(10_000, 40_000, () => now);
    expect(backoff.failed('m', 'bad')).toBe(10);
    now = 9_000;
    expect(backoff.blocked('m')).toMatchObject({ secondsLeft: 1, secondsAgo: 9, message: 'bad' });
    now = 10_000;
    expect(backoff.blocked('m')).toBeUndefined();
    expect(backoff.failed('m', 'bad')).toBe(20);
    expect(backoff.failed('m', 'bad')).toBe(40);
    expect(backoff.failed('m', 'bad')).toBe(40);
    backoff.succeeded('m');
    expect(backoff.blocked('m')).toBeUndefined();
  });
});
