/** A half-open byte interval [start, end). */
export type ByteRange = readonly [start: number, end: number];

/**
 * A set of byte intervals kept sorted and merged: which bytes of an object are already on
 * disk. Small (one entry per gap), so it serialises into the resume sidecar as is.
 */
export class ByteRangeSet {
  private ranges: Array<[number, number]> = [];

  constructor(initial: Iterable<ByteRange> = []) {
    for (const [start, end] of initial) this.add(start, end);
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** Total bytes covered. */
  get bytes(): number {
    return this.ranges.reduce((sum, [s, e]) => sum + (e - s), 0);
  }

  clear(): void {
    this.ranges = [];
  }

  add(start: number, end: number): void {
    if (end <= start) return;
    const kept: Array<[number, number]> = [];
    let merged: [number, number] = [start, end];
    for (const r of this.ranges) {
      if (r[1] < merged[0] || r[0] > merged[1]) kept.push(r);
      else merged = [Math.min(r[0], merged[0]), Math.max(r[1], merged[1])];
    }
    kept.push(merged);
    this.ranges = kept.sort((a, b) => a[0] - b[0]);
  }

  /** End of the run of covered bytes that starts at `position`, or `position` when none does. */
  contiguousEnd(position: number): number {
    const r = this.ranges.find(([s, e]) => s <= position && position < e);
    return r ? r[1] : position;
  }

  /** The gaps of [0, size) this set does not cover, in order. */
  missing(size: number): ByteRange[] {
    const gaps: ByteRange[] = [];
    let at = 0;
    for (const [s, e] of this.ranges) {
      if (s > at) gaps.push([at, Math.min(s, size)]);
      at = Math.max(at, e);
      if (at >= size) break;
    }
    if (at < size) gaps.push([at, size]);
    return gaps.filter(([s, e]) => e > s);
  }

  toJSON(): ByteRange[] {
    return this.ranges.map(([s, e]) => [s, e] as const);
  }
}

/** Cut each range into consecutive pieces of at most `partBytes`. */
export function splitRanges(ranges: readonly ByteRange[], partBytes: number): ByteRange[] {
  const parts: ByteRange[] = [];
  for (const [start, end] of ranges) {
    for (let s = start; s < end; s += partBytes) parts.push([s, Math.min(end, s + partBytes)]);
  }
  return parts;
}
