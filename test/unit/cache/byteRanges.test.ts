import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteRangeSet, splitRanges } from '../../../lib/core/cache/byteRanges';

describe('ByteRangeSet', () => {
  it('merges touching and overlapping ranges and keeps them sorted', () => {
    const set = new ByteRangeSet([
      [10, 20],
      [0, 5],
    ]);
    set.add(5, 10);
    set.add(30, 40);
    set.add(35, 45);

    expect(set.toJSON()).toEqual([
      [0, 20],
      [30, 45],
    ]);
    expect(set.bytes).toBe(35);
  });

  it('lists the gaps of an object it does not cover', () => {
    const set = new ByteRangeSet([
      [4, 8],
      [12, 16],
    ]);
    expect(set.missing(20)).toEqual([
      [0, 4],
      [8, 12],
      [16, 20],
    ]);
    expect(new ByteRangeSet([[0, 20]]).missing(20)).toEqual([]);
    expect(new ByteRangeSet().missing(0)).toEqual([]);
  });

  it('tells where the run of covered bytes from a position ends', () => {
    const set = new ByteRangeSet([[3, 9]]);
    expect(set.contiguousEnd(3)).toBe(9);
    expect(set.contiguousEnd(5)).toBe(9);
    expect(set.contiguousEnd(9)).toBe(9);
    expect(set.contiguousEnd(0)).toBe(0);
  });

  it('covers exactly the union of what was added, with its gaps the complement (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(200), fc.nat(50))), (adds) => {
        const size = 260;
        const set = new ByteRangeSet();
        const bits = new Array<boolean>(size).fill(false);
        for (const [s, len] of adds) {
          set.add(s, s + len);
          for (let i = s; i < s + len; i++) bits[i] = true;
        }
        const covered = bits.filter(Boolean).length;
        expect(set.bytes).toBe(covered);
        const gapBytes = set.missing(size).reduce((sum, [s, e]) => sum + (e - s), 0);
        expect(gapBytes).toBe(size - covered);
        for (const [s, e] of set.missing(size)) for (let i = s; i < e; i++) expect(bits[i]).toBe(false);
      }),
    );
  });
});

describe('splitRanges', () => {
  it('cuts ranges into part-sized pieces, the last one shorter', () => {
    expect(
      splitRanges(
        [
          [0, 10],
          [20, 23],
        ],
        4,
      ),
    ).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
      [20, 23],
    ]);
  });
});
