import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { pipelines } from '../../../lib/core/builtins';
import { wavBytes } from '../../unit/processing/wavBytes';
import { capturingRunner } from './capturingRunner';
import { directRunner } from './directRunner';
import { MODELS, SPEECH_WAV } from './models';
import { renderLine } from './renderText';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('what the pipelines feed the models equals a straightforward computation (1e-6)', () => {
  let rec: Awaited<ReturnType<typeof directRunner>>;
  let vad: Awaited<ReturnType<typeof directRunner>>;
  beforeAll(async () => {
    [rec, vad] = await Promise.all([directRunner(MODELS.textRecognition), directRunner(MODELS.voiceActivity)]);
  });

  it('textRecognition: height 48, BGR, (x/255 - 0.5)/0.5, NCHW, zero-padded to 320', async () => {
    // Coloured, so that a swapped channel order shows.
    const png = await renderLine('river 7', { fontSize: 20, color: '#c03010', background: '#d8ecff' });
    const { width, height } = await sharp(png).metadata();
    const resizedWidth = Math.ceil((48 * width) / height);
    // Reference: sharp resizes the PNG directly, then plain loops over .raw() bytes.
    const raw = await sharp(png).removeAlpha().resize(resizedWidth, 48, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
    const W = Math.max(320, resizedWidth);
    const expected = new Float64Array(3 * 48 * W);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 48; y++)
        for (let x = 0; x < resizedWidth; x++) {
          expected[c * 48 * W + y * W + x] = (raw[(y * resizedWidth + x) * 3 + (2 - c)]! / 255 - 0.5) / 0.5;
        }
    const { runner, calls } = capturingRunner(rec);
    await pipelines.textRecognition.predict({ contentType: 'image/png', body: png, query: {} }, runner);
    const x = calls[0]!.feeds.x!;
    expect(x.dims).toEqual([1, 3, 48, W]);
    expect(maxAbsDiff(x.data as Float32Array, expected)).toBeLessThan(1e-6);
  });

  it('textOrientation: height 48, squeezed to at most 192 wide, zero-padded to 192', async () => {
    const cls = await directRunner(MODELS.textOrientation);
    const png = await renderLine('ab', { fontSize: 30, color: '#2050a0' }); // narrow: padded
    const { width, height } = await sharp(png).metadata();
    const resizedWidth = Math.ceil((48 * width) / height);
    const raw = await sharp(png).removeAlpha().resize(resizedWidth, 48, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
    const expected = new Float64Array(3 * 48 * 192);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 48; y++)
        for (let x = 0; x < resizedWidth; x++) {
          expected[c * 48 * 192 + y * 192 + x] = (raw[(y * resizedWidth + x) * 3 + (2 - c)]! / 255 - 0.5) / 0.5;
        }
    const { runner, calls } = capturingRunner(cls);
    await pipelines.textOrientation.predict({ contentType: 'image/png', body: png, query: {} }, runner);
    expect(calls[0]!.feeds.x!.dims).toEqual([1, 3, 48, 192]);
    expect(maxAbsDiff(calls[0]!.feeds.x!.data as Float32Array, expected)).toBeLessThan(1e-6);
    await pipelines.textOrientation.predict(
      { contentType: 'image/png', body: await renderLine('a much longer line of text'), query: {} },
      runner,
    );
    expect(calls[1]!.feeds.x!.dims).toEqual([1, 3, 48, 192]);
  });

  it('voiceActivity: 16-bit samples / 32768 in 512-sample hops after 64 samples of context, state fed back', async () => {
    const bytes = readFileSync(SPEECH_WAV);
    const samples = Float64Array.from({ length: bytes.readUInt32LE(40) / 2 }, (_, i) => bytes.readInt16LE(44 + 2 * i) / 32768);
    const { runner, calls } = capturingRunner(vad);
    await pipelines.voiceActivity.predict({ contentType: 'audio/wav', body: bytes, query: {} }, runner);
    expect(calls.length).toBe(Math.ceil(samples.length / 512));
    for (const i of [0, 1, 70, 100, calls.length - 1]) {
      const expected = Array.from({ length: 576 }, (_, j) => samples[i * 512 - 64 + j] ?? 0);
      const input = calls[i]!.feeds.input!;
      expect(input.dims).toEqual([1, 576]);
      expect(maxAbsDiff(input.data as Float32Array, expected)).toBeLessThan(1e-6);
    }
    expect([...(calls[0]!.feeds.state!.data as Float32Array)].every((v) => v === 0)).toBe(true);
    expect(calls[0]!.feeds.sr!.data).toEqual(BigInt64Array.of(16000n));
    for (const i of [1, 50, calls.length - 1]) expect(calls[i]!.feeds.state!.data).toEqual(calls[i - 1]!.outputs.stateN!.data);
  });

  it('voiceActivity resamples 8 kHz to 16 kHz: originals kept, exact midpoints on a ramp', async () => {
    // Hand-computed expectation for a slow ramp: sample 2k of the 16 kHz signal is x[k], 2k+1 is (x[k] + x[k+1]) / 2.
    const codes = Array.from({ length: 4000 }, (_, k) => 4 * k);
    const { runner, calls } = capturingRunner(vad);
    await pipelines.voiceActivity.predict(
      { contentType: 'audio/wav', body: wavBytes({ rate: 8000, bits: 16, samples: codes.map((c) => [c]) }), query: {} },
      runner,
    );
    const resampled: number[] = calls.flatMap((call) => [...(call.feeds.input!.data as Float32Array).slice(64)]);
    for (let n = 100; n < 7900; n++) {
      expect(Math.abs(resampled[n]! - (4 * n) / 2 / 32768)).toBeLessThan(1e-6);
    }
  });
});
