import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHalfBits, toHalfBits } from '../../../lib/core/protocol/float16';

describe('float16 conversion', () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest half
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -14, 0x0400], // smallest normal
    [Number.POSITIVE_INFINITY, 0x7c00],
    [70000, 0x7c00], // overflow rounds to infinity
    [1 + 2 ** -11, 0x3c00], // halfway between 1 and the next half: ties to even (down)
    [1 + 3 * 2 ** -11, 0x3c02], // halfway, odd below: ties to even (up)
  ])('encodes %d as 0x%s', (value, bits) => {
    expect(toHalfBits(value)).toBe(bits);
  });

  it('maps NaN to a NaN', () => {
    expect(Number.isNaN(fromHalfBits(toHalfBits(Number.NaN)))).toBe(true);
  });

  it('round-trips every finite half exactly', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue; // Inf and NaN
      expect(toHalfBits(fromHalfBits(bits))).toBe(bits);
    }
  });

  it('picks the nearest half for any double in range', () => {
    fc.assert(
      fc.property(fc.double({ min: -65000, max: 65000, noNaN: true }), (x) => {
        const got = fromHalfBits(toHalfBits(x));
        const bits = toHalfBits(x);
        const neighbours = [bits - 1, bits + 1].filter((b) => b >= 0 && b < 0x10000 && (b & 0x7c00) !== 0x7c00).map(fromHalfBits);
        return neighbours.every((n) => Math.abs(n - x) >= Math.abs(got - x));
      }),
    );
  });
});
