import { describe, expect, it } from 'vitest';
import { Rng } from '../../../lib/tools/train/Rng';

describe('Rng', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 5 },
        (
          (rng) => () =>
            rng.next()
        )(new Rng(seed)),
      );
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('reproduces mulberry32 reference values (same numbers on every platform)', () => {
    // First outputs of the published mulberry32 (bryc's JavaScript version) seeded with 0 and
    // 42, as 32-bit integers (value * 2^32); the generator is integer-only, so these are exact.
    const first3 = (seed: number) => ((rng) => [rng.next(), rng.next(), rng.next()].map((v) => v * 2 ** 32))(new Rng(seed));
    expect(first3(0)).toEqual([1144304738, 1416247, 958946056]);
    expect(first3(42)).toEqual([2581720956, 1925393290, 3661312704]);
  });

  it('stays in [0, 1) with a mean near 1/2, and normal() has mean near 0 and variance near 1', () => {
    const rng = new Rng(1);
    const uniform = Array.from({ length: 20000 }, () => rng.next());
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniform)).toBeLessThan(1);
    expect(Math.abs(uniform.reduce((a, b) => a + b) / uniform.length - 0.5)).toBeLessThan(0.01);
    const normal = Array.from({ length: 20000 }, () => rng.normal());
    const mean = normal.reduce((a, b) => a + b) / normal.length;
    const variance = normal.reduce((a, b) => a + (b - mean) ** 2, 0) / normal.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('permutation() contains every index once', () => {
    const order = new Rng(3).permutation(100);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...order]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('derive() gives independent streams per purpose', () => {
    expect(Rng.derive(42, 'init').next()).not.toBe(Rng.derive(42, 'data').next());
    expect(Rng.derive(42, 'init').next()).toBe(Rng.derive(42, 'init').next());
  });
});
