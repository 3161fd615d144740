import { Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { ModelRunner } from '../../../lib/core/pipeline/Pipeline';
import { frameSignal, mixToMono, resample, runRecurrent } from '../../../lib/core/processing';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function rms(values: ArrayLike<number>, from = 0, to = values.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i]! ** 2;
  return Math.sqrt(sum / (to - from));
}

const tone = (rate: number, hz: number, seconds: number) =>
  Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate));

describe('mixToMono', () => {
  it('averages the channels sample by sample', () => {
    const mono = mixToMono({ sampleRate: 8000, channels: [Float32Array.of(1, 0.5, -1), Float32Array.of(0, 0.5, 0)] });
    expect([...mono.samples]).toEqual([0.5, 0.5, -0.5]);
    expect(mono.sampleRate).toBe(8000);
  });
});

describe('resample', () => {
  it('returns the samples unchanged when the rates already match', () => {
    const samples = Float32Array.of(0.1, -0.2, 0.3);
    expect([...resample({ sampleRate: 16000, samples }, 16000).samples]).toEqual([...samples]);
  });

  it('upsampling 8 -> 16 kHz keeps every original sample and puts exact midpoints on a ramp (1e-6)', () => {
    // Hand-computed expectation: a windowed sinc is zero at the other integers, so original
    // positions are kept exactly; at half positions the kernel is symmetric and normalised, so a
    // linear ramp gives the midpoint. Away from the edges (the kernel is 16 samples wide per side).
    const input = Float32Array.from({ length: 200 }, (_, k) => k / 1000);
    const out = resample({ sampleRate: 8000, samples: input }, 16000).samples;
    expect(out.length).toBe(400);
    for (let n = 40; n < 360; n++) expect(Math.abs(out[n]! - n / 2000)).toBeLessThan(1e-6);
  });

  it('downsampling 16 -> 8 kHz of a ramp gives every other sample (1e-6)', () => {
    const input = Float32Array.from({ length: 400 }, (_, k) => k / 4000);
    const out = resample({ sampleRate: 16000, samples: input }, 8000).samples;
    expect(out.length).toBe(200);
    for (let n = 25; n < 175; n++) expect(Math.abs(out[n]! - (2 * n) / 4000)).toBeLessThan(1e-6);
  });

  it('keeps a constant exactly constant, edges included (1e-6)', () => {
    const out = resample({ sampleRate: 44100, samples: new Float32Array(4410).fill(0.3) }, 16000).samples;
    expect(out.length).toBe(1600);
    expect(maxAbsDiff(out, new Float32Array(out.length).fill(0.3))).toBeLessThan(1e-6);
  });

  it('reproduces a 440 Hz tone sampled directly at the new rate (44.1 -> 16 kHz)', () => {
    const out = resample({ sampleRate: 44100, samples: tone(44100, 440, 0.5) }, 16000).samples;
    const direct = tone(16000, 440, 0.5);
    let max = 0;
    for (let n = 100; n < direct.length - 100; n++) max = Math.max(max, Math.abs(out[n]! - direct[n]!));
    expect(max).toBeLessThan(2e-3);
  });

  it('filters out a 10 kHz tone going 48 -> 16 kHz instead of aliasing it to 6 kHz', () => {
    const out = resample({ sampleRate: 48000, samples: tone(48000, 10000, 0.5) }, 16000).samples;
    // Plain linear interpolation leaves an RMS near 0.7 here (a full-scale 6 kHz alias).
    expect(rms(out, 100, out.length - 100)).toBeLessThan(0.02);
  });
});

describe('frameSignal', () => {
  it('cuts non-overlapping frames and zero-pads the last one', () => {
    const frames = frameSignal(Float32Array.of(1, 2, 3, 4, 5), { frameLength: 2 });
    expect(frames.map((f) => [...f])).toEqual([
      [1, 2],
      [3, 4],
      [5, 0],
    ]);
  });

  it('drops the partial frame when asked', () => {
    expect(frameSignal(Float32Array.of(1, 2, 3, 4, 5), { frameLength: 2, padEnd: false }).length).toBe(2);
  });

  it('prepends context from the previous hop (Silero style: context 2 + hop 3)', () => {
    const frames = frameSignal(Float32Array.of(1, 2, 3, 4, 5, 6, 7), { frameLength: 5, hopLength: 3, leftPad: 2 });
    expect(frames.map((f) => [...f])).toEqual([
      [0, 0, 1, 2, 3],
      [2, 3, 4, 5, 6],
      [5, 6, 7, 0, 0],
    ]);
  });
});

describe('runRecurrent', () => {
  // A fake stateful model: out = frame sum + state; stateN = state + 1. Checks the wiring only.
  const runner: ModelRunner = {
    inputs: [],
    outputs: [],
    async run(feeds) {
      const frame = feeds.input!.data as Float32Array;
      const state = (feeds.state!.data as Float32Array)[0]!;
      const sr = (feeds.sr!.data as BigInt64Array)[0]!;
      const sum = frame.reduce((a, b) => a + b, 0);
      return {
        output: new Tensor('float32', Float32Array.of(sum + state + Number(sr)), [1, 1]),
        stateN: new Tensor('float32', Float32Array.of(state + 1), [1]),
      };
    },
  };

  it('feeds each run the state the previous run returned, from a fresh state per clip', async () => {
    const spec = {
      frameInput: 'input',
      state: { state: 'stateN' },
      initialState: () => ({ state: new Tensor('float32', Float32Array.of(0), [1]) }),
      constants: { sr: new Tensor('int64', BigInt64Array.of(1000n), []) },
    };
    const frames = [Float32Array.of(1, 1), Float32Array.of(2, 2), Float32Array.of(3, 3)];
    const read = (outputs: Record<string, Tensor>) => (outputs.output!.data as Float32Array)[0]!;
    expect(await runRecurrent(runner, frames, spec, read)).toEqual([1002, 1005, 1008]);
    expect(await runRecurrent(runner, frames, spec, read)).toEqual([1002, 1005, 1008]);
  });

  it('fails naming a state output the model does not return', async () => {
    const spec = {
      frameInput: 'input',
      state: { state: 'hidden' },
      initialState: () => ({ state: new Tensor('float32', Float32Array.of(0), [1]) }),
      constants: { sr: new Tensor('int64', BigInt64Array.of(1n), []) },
    };
    await expect(runRecurrent(runner, [Float32Array.of(1)], spec, () => 0)).rejects.toThrow(/no 'hidden'/);
  });
});
