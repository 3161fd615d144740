import { deflateSync } from 'node:zlib';
import { pngChunk } from '../../support/pngChunk';

/**
 * A valid-looking PNG of under 100 bytes whose IHDR claims `width` x `height` RGB pixels
 * (100000 x 100000 = 30 GB decoded): the decompression-bomb shape the header check must stop.
 */
export function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
