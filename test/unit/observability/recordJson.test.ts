import { describe, expect, it } from 'vitest';
import { durationsJson, isoTimestamp, member, numberJson } from '../../../lib/core/observability/recordJson';

describe('numbers in log lines and EMF documents', () => {
  it('are what JSON.stringify writes for durations rounded to the microsecond, over the whole table', () => {
    const mismatches: number[] = [];
    for (let n = 0; n < 3_000_000; n += 1) {
      const value = n / 1000;
      if (numberJson(value) !== JSON.stringify(value)) mismatches.push(value);
    }
    for (let n = 2 ** 31 - 100_000; n < 2 ** 31 + 1000; n += 7) {
      const value = n / 1000;
      if (numberJson(value) !== JSON.stringify(value)) mismatches.push(value);
    }
    expect(mismatches).toEqual([]);
  });

  it('are what JSON.stringify writes for any other number, non-finite ones as null', () => {
    const values = [-0, -1, -0.001, 1e-7, 0.1 + 0.2, 1 / 3, 2 ** 53, 1e21, 123456.7891, Number.MIN_VALUE, Number.MAX_VALUE, 0.0005];
    let seed = 42;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      values.push((seed / 2 ** 31) * 10 ** ((i % 12) - 4), Math.round(seed / 1000) / 1000 + 1e-12);
    }
    expect(values.filter((value) => numberJson(value) !== JSON.stringify(value))).toEqual([]);
    expect([Number.NaN, Infinity, -Infinity].map(numberJson)).toEqual(['null', 'null', 'null']);
  });

  it('write members and durations as JSON.stringify would, leaving out what is undefined', () => {
    const fields = { a: 'x "y" \u2028', b: 3.25, c: true, d: undefined, e: -0, f: Number.NaN, g: '' };
    const text = Object.entries(fields)
      .map(([key, value]) => member(key, value))
      .join('');
    expect(`{${text.slice(1)}}`).toBe(JSON.stringify(fields));
    const durations = { total: 1.234, load: 812.4, preprocess: 0.021, inference: undefined, postprocess: 0 };
    expect(durationsJson(durations)).toBe(JSON.stringify(durations));
    expect(durationsJson({ total: 0.5 })).toBe('{"total":0.5}');
  });

  it('write timestamps as Date.toISOString does, across seconds, days and years', () => {
    const starts = [0, 1_796_565_123_000, Date.UTC(2026, 11, 31, 23, 59, 58), Date.UTC(9999, 11, 31, 23, 59, 59), 86_400_000 * 365 * 9000];
    const mismatches: number[] = [];
    for (const start of starts) {
      for (let now = start - 2_500; now < start + 2_500; now += 1) {
        if (isoTimestamp(now) !== new Date(now).toISOString()) mismatches.push(now);
      }
    }
    expect(mismatches).toEqual([]);
    expect(isoTimestamp(1_796_565_123_456.7)).toBe(new Date(1_796_565_123_456.7).toISOString());
  });
});
