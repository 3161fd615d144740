import { describe, expect, it, vi } from 'vitest';
import { decodeImage } from '../../../lib/core/processing';
import { sniffImageFormat } from '../../../lib/core/processing/image/imageFormat';
import { pngClaiming } from './pngBomb';

// The real sharp, counted: what must be refused is refused before sharp is ever called.
const sharpCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../../lib/core/processing/image/loadSharp', async (importOriginal) => {
  const real = ((await importOriginal()) as { loadSharp: () => (...args: unknown[]) => unknown }).loadSharp();
  const counted = Object.assign((...args: unknown[]) => {
    sharpCalls.count++;
    return real(...args);
  }, real);
  return { loadSharp: () => counted };
});

const SVG = Buffer.from(
  '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>',
);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
const TIFF = Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]);

describe('image formats told apart by magic bytes', () => {
  it.each([
    ['png', pngClaiming(2, 2)],
    ['svg', SVG],
    ['gif', GIF],
    ['tiff', TIFF],
    ['jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0])],
    ['webp', Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1')],
    [undefined, Buffer.from('hello')],
  ])('reads %s', (format, bytes) => {
    expect(sniffImageFormat(bytes)).toBe(format);
  });

  it.each([
    ['svg', SVG],
    ['gif', GIF],
    ['tiff', TIFF],
  ])('refuses %s with 415 without handing it to sharp', async (format, bytes) => {
    sharpCalls.count = 0;
    const error = await decodeImage(bytes).catch((err: Error & { status?: number }) => err);
    expect(error).toMatchObject({ status: 415, message: `image format '${format}' is not accepted; send one of: png, jpeg, webp` });
    expect(sharpCalls.count).toBe(0);
  });

  it('refuses a 1 x 16,000,000 PNG header before any decode (one metadata read, no pixel pipeline)', async () => {
    sharpCalls.count = 0;
    const error = await decodeImage(pngClaiming(1, 16_000_000)).catch((err: Error & { status?: number }) => err);
    expect(error).toMatchObject({ status: 413 });
    expect(sharpCalls.count).toBe(1);
  });
});
