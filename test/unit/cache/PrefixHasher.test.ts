import { createHash, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PrefixHasher } from '../../../lib/core/cache/PrefixHasher';
import { tempDir } from '../../support/testHandler';

const data = randomBytes(3 * 1024 * 1024 + 17);
const expected = createHash('sha256').update(data).digest('hex');

async function withFile<T>(fn: (file: Awaited<ReturnType<typeof open>>) => Promise<T>): Promise<T> {
  const file = await open(join(tempDir(), 'weights'), 'w+');
  try {
    return await fn(file);
  } finally {
    await file.close();
  }
}

/** Write `[start, end)` of `data` and report it, as the download does after each write. */
async function write(file: Awaited<ReturnType<typeof open>>, hasher: PrefixHasher, start: number, end: number): Promise<void> {
  const chunk = data.subarray(start, end);
  await file.write(chunk, 0, chunk.length, start);
  hasher.written(start, [chunk], chunk.length);
}

describe('PrefixHasher', () => {
  it('gives the sha256 of the file when parts are written in reverse order', async () => {
    await withFile(async (file) => {
      const hasher = new PrefixHasher(file);
      const part = 256 * 1024;
      const starts = [];
      for (let s = 0; s < data.length; s += part) starts.push(s);
      for (const s of starts.reverse()) await write(file, hasher, s, Math.min(data.length, s + part));

      expect(await hasher.digest(data.length)).toBe(expected);
      // Only the first part arrived at the prefix: everything after it was read back.
      expect(hasher.readBackBytes).toBe(data.length - part);
    });
  });

  it('reads nothing back when the bytes arrive in order', async () => {
    await withFile(async (file) => {
      const hasher = new PrefixHasher(file);
      for (let s = 0; s < data.length; s += 65536) await write(file, hasher, s, Math.min(data.length, s + 65536));

      expect(await hasher.digest(data.length)).toBe(expected);
      expect(hasher.readBackBytes).toBe(0);
    });
  });

  it('hashes bytes already on disk from a kept partial before the new ones', async () => {
    await withFile(async (file) => {
      const half = Math.floor(data.length / 2);
      await file.write(data, 0, half, 0);
      const hasher = new PrefixHasher(file, [[0, half]]);
      await write(file, hasher, half, data.length);

      expect(await hasher.digest(data.length)).toBe(expected);
    });
  });

  it('refuses to give a digest while a byte of the object is missing', async () => {
    await withFile(async (file) => {
      const hasher = new PrefixHasher(file);
      await write(file, hasher, 0, 1000);
      await write(file, hasher, 2000, data.length);

      await expect(hasher.digest(data.length)).rejects.toThrow(/hashed 1000 of/);
    });
  });
});
