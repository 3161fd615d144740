import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelRunner } from '../../../lib/core/pipeline/Pipeline';
import { pipelines, type VoiceActivityResult } from '../../../lib/core/builtins';
import { wavBytes } from '../../unit/processing/wavBytes';
import { directRunner } from './directRunner';
import { MODELS, SPEECH_WAV } from './models';

/** The fixture's samples read by hand (canonical 44-byte header, 16-bit mono), for independent checks. */
function fixtureSamples(): { rate: number; samples: Float64Array } {
  const bytes = readFileSync(SPEECH_WAV);
  expect(bytes.toString('ascii', 0, 4)).toBe('RIFF');
  expect(bytes.readUInt16LE(22)).toBe(1); // mono
  expect(bytes.readUInt16LE(34)).toBe(16); // 16-bit
  const dataSize = bytes.readUInt32LE(40);
  return {
    rate: bytes.readUInt32LE(24),
    samples: Float64Array.from({ length: dataSize / 2 }, (_, i) => bytes.readInt16LE(44 + 2 * i) / 32768),
  };
}

/** Where the fixture's speech really is: first and last sample above -40 dBFS. */
function speechSpan(): { start: number; end: number; duration: number } {
  const { rate, samples } = fixtureSamples();
  const loud = (x: number) => Math.abs(x) > 0.01;
  const first = samples.findIndex(loud);
  const last = samples.findLastIndex(loud);
  return { start: first / rate, end: last / rate, duration: samples.length / rate };
}

function covered(result: VoiceActivityResult, from: number, to: number): number {
  return result.segments.reduce((sum, s) => sum + Math.max(0, Math.min(s.end, to) - Math.max(s.start, from)), 0);
}

const HANGOVER = 0.25;

function expectOnlyAroundSpeech(result: VoiceActivityResult, span: { start: number; end: number }): void {
  for (const segment of result.segments) {
    expect(covered({ ...result, segments: [segment] }, span.start, span.end)).toBeGreaterThan(0);
    expect(segment.start).toBeGreaterThan(span.start - HANGOVER);
    expect(segment.end).toBeLessThan(span.end + HANGOVER);
  }
}

describe('voiceActivity pipeline (Silero VAD, real model)', () => {
  let runner: ModelRunner;
  const span = speechSpan();
  beforeAll(async () => {
    runner = await directRunner(MODELS.voiceActivity);
  });

  it('finds the spoken words between two long silences, and nothing in the silences', async () => {
    // The fixture: ~2 s of digital silence, espeak-ng speech, ~2 s of silence (see its README).
    expect(span.start).toBeGreaterThan(1.5);
    expect(span.duration - span.end).toBeGreaterThan(1.5);
    const result = await pipelines.voiceActivity.predict({ contentType: 'audio/wav', body: readFileSync(SPEECH_WAV), query: {} }, runner);
    console.info('voiceActivity segments', result.segments, 'speech span', span);
    expect(result.duration).toBeCloseTo(span.duration, 2);
    expect(result.segments.length).toBeGreaterThanOrEqual(1);
    // Most of the speech is inside segments...
    expect(covered(result, span.start, span.end)).toBeGreaterThan(0.8 * (span.end - span.start));
    // ...and none lies in the silences: each overlaps the speech and stops within a hangover of
    // 0.25 s (the model stays high for ~3 frames of 32 ms after the last word, plus 30 ms padding).
    expectOnlyAroundSpeech(result, span);
    expect(result.probabilities).toBeUndefined();
  });

  it('returns per-frame probabilities with ?probabilities=true: low in silence, high in speech', async () => {
    const result = await pipelines.voiceActivity.predict(
      { contentType: 'audio/x-wav', body: readFileSync(SPEECH_WAV), query: { probabilities: 'true' } },
      runner,
    );
    const probabilities = result.probabilities!;
    expect(result.frameSeconds).toBe(0.032);
    expect(probabilities.length).toBe(Math.ceil((span.duration * 16000) / 512));
    const at = (seconds: number) => probabilities[Math.floor(seconds / 0.032)]!;
    expect(Math.max(...probabilities.slice(0, Math.floor((span.start - 0.2) / 0.032)))).toBeLessThan(0.1);
    expect(Math.max(...probabilities.slice(Math.ceil((span.end + 0.2) / 0.032)))).toBeLessThan(0.1);
    expect(at((span.start + span.end) / 2) > 0.5 || at(span.start + 0.5) > 0.5).toBe(true);
  });

  it('finds the same speech in a 48 kHz stereo float WAV of the clip (mixed down and resampled)', async () => {
    // Built here: linear interpolation to 48 kHz (3x), right channel at half volume, 32-bit float.
    const { samples } = fixtureSamples();
    const frames: number[][] = [];
    for (let i = 0; i < samples.length - 1; i++) {
      for (let k = 0; k < 3; k++) {
        const v = samples[i]! + ((samples[i + 1]! - samples[i]!) * k) / 3;
        frames.push([v, v / 2]);
      }
    }
    const body = wavBytes({ rate: 48000, bits: 32, float: true, samples: frames });
    const result = await pipelines.voiceActivity.predict({ contentType: 'audio/wav', body, query: {} }, runner);
    expect(covered(result, span.start, span.end)).toBeGreaterThan(0.8 * (span.end - span.start));
    expectOnlyAroundSpeech(result, span);
  });

  it('finds no speech in pure silence', async () => {
    const body = wavBytes({ rate: 16000, bits: 16, samples: Array.from({ length: 32000 }, () => [0]) });
    const result = await pipelines.voiceActivity.predict({ contentType: 'audio/wav', body, query: {} }, runner);
    expect(result.segments).toEqual([]);
  });
});
