/**
 * Seeded pseudo-random numbers for training: weight init, synthetic data, splits, shuffles.
 *
 * Hand-written (mulberry32, a 32-bit state generator by Tommy Ettinger) rather than a
 * dependency or Math.random: Math.random cannot be seeded, and a dozen lines of integer
 * arithmetic (Math.imul, >>> 0) give the same stream on every platform and Node version, so a
 * seed printed in a model's metadata reproduces its weights bit for bit. Statistical quality
 * far beyond what initialising a few hundred weights needs; not for cryptography.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /**
   * An independent stream for one purpose ('init', 'data', 'split', 'shuffle'), so that
   * changing how much one consumer draws never shifts the numbers another consumer sees.
   */
  static derive(seed: number, stream: string): Rng {
    // FNV-1a over the stream name, mixed with the seed.
    let h = 0x811c9dc5 ^ (seed >>> 0);
    for (let i = 0; i < stream.length; i++) {
      h ^= stream.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return new Rng(h >>> 0);
  }

  /** Uniform in [0, 1), 32 bits of randomness. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Standard normal (Box-Muller; the second value of each pair is dropped to keep no state). */
  normal(): number {
    const u1 = 1 - this.next(); // (0, 1]: log(0) never happens
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Uint32Array {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = order[i]!;
      order[i] = order[j]!;
      order[j] = tmp;
    }
    return order;
  }
}
