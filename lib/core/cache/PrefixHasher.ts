import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { ByteRangeSet, type ByteRange } from './byteRanges';

const READ_BACK_BYTES = 1 << 20;

/**
 * sha256 of a file whose parts arrive out of order, without holding it in memory.
 *
 * A hash must see the bytes in order. Chunks written exactly at the hashed prefix's end are
 * hashed as they arrive (no read at all: the lowest part in flight streams in order); bytes
 * written further ahead are read back from the file (the page cache) as soon as the prefix
 * reaches them. Hashing therefore runs alongside the download instead of after it.
 */
export class PrefixHasher {
  private readonly hash = createHash('sha256');
  private hashed = 0;
  /** Written but not yet hashed. */
  private readonly ahead: ByteRangeSet;
  private catchingUp?: Promise<void>;
  private failure?: unknown;
  private readBuffer?: Buffer;
  /** Bytes read back from disk to be hashed, for measurements. */
  readBackBytes = 0;

  constructor(
    private readonly file: FileHandle,
    alreadyWritten: Iterable<ByteRange> = [],
  ) {
    this.ahead = new ByteRangeSet(alreadyWritten);
    this.kick();
  }

  /** Record a chunk just written at `position`. */
  written(position: number, chunks: readonly Buffer[], length: number): void {
    if (position === this.hashed && !this.catchingUp) {
      for (const c of chunks) this.hash.update(c);
      this.hashed += length;
    } else {
      this.ahead.add(position, position + length);
    }
    this.kick();
  }

  /** Hash the remaining prefix up to `size` (every byte must be written by now). */
  async digest(size: number): Promise<string> {
    while (this.catchingUp) await this.catchingUp;
    if (this.hashed < size) {
      this.kick();
      while (this.catchingUp) await this.catchingUp;
    }
    if (this.failure !== undefined) throw this.failure;
    if (this.hashed !== size) throw new Error(`hashed ${this.hashed} of ${size} bytes: a part was never written`);
    return this.hash.digest('hex');
  }

  private kick(): void {
    if (this.failure !== undefined || this.catchingUp || this.ahead.contiguousEnd(this.hashed) === this.hashed) return;
    this.catchingUp = this.catchUp()
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => {
        this.catchingUp = undefined;
      });
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const end = this.ahead.contiguousEnd(this.hashed);
      if (end === this.hashed) return;
      this.readBuffer ??= Buffer.allocUnsafe(READ_BACK_BYTES);
      const want = Math.min(READ_BACK_BYTES, end - this.hashed);
      const { bytesRead } = await this.file.read(this.readBuffer, 0, want, this.hashed);
      if (bytesRead <= 0) throw new Error(`read-back of ${this.hashed} returned no bytes`);
      this.hash.update(this.readBuffer.subarray(0, bytesRead));
      this.hashed += bytesRead;
      this.readBackBytes += bytesRead;
    }
  }
}
