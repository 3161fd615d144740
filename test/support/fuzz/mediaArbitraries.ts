import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import sharp from 'sharp';
import { pngChunk } from '../pngChunk';

/**
 * Arbitraries for the domain routes' media: real images and WAVs, then truncated, corrupted,
 * given headers that lie (decompression bombs, zero or absurd sizes, wrong formats), and
 * delivered raw, as base64 JSON, or with a content type that does not match.
 */

export interface BaseImage {
  format: 'png' | 'jpeg' | 'webp';
  bytes: Buffer;
}

/** Small real images in every accepted format (noise, so encoders cannot compress them away). */
export async function baseImages(): Promise<BaseImage[]> {
  const sizes: Array<[number, number, number]> = [
    [1, 1, 3],
    [7, 3, 1],
    [64, 16, 4],
    [200, 48, 3],
    [31, 97, 2],
    [320, 20, 3],
  ];
  const out: BaseImage[] = [];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  for (const [width, height, channels] of sizes) {
    const raw = Buffer.alloc(width * height * channels);
    for (let i = 0; i < raw.length; i++) raw[i] = next();
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const bytes = await sharp(raw, { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } })
        .toFormat(format)
        .toBuffer();
      out.push({ format, bytes });
    }
  }
  return out;
}

/** A tiny, well-formed PNG whose header claims any size, bit depth and colour type. */
function lyingPng(width: number, height: number, depth: number, colour: number, idat: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width >>> 0, 0);
  ihdr.writeUInt32BE(height >>> 0, 4);
  ihdr[8] = depth;
  ihdr[9] = colour;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(idat)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const MAGIC = {
  png: [137, 80, 78, 71, 13, 10, 26, 10],
  jpeg: [0xff, 0xd8, 0xff, 0xe0],
  webp: [...Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 ', 'latin1')],
  gif: [...Buffer.from('GIF89a', 'latin1')],
  bmp: [...Buffer.from('BM', 'latin1')],
  tiff: [0x49, 0x49, 0x2a, 0x00],
  svg: [...Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="99999" height="99999">', 'latin1')],
} as const;

type Mutate = (bytes: Buffer) => Buffer;
/** Damage any byte string the way networks, buggy clients and attackers do. */
export const byteMutation: fc.Arbitrary<{ name: string; apply: Mutate }> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ name: 'intact', apply: (b: Buffer) => b }) },
  {
    weight: 3,
    arbitrary: fc.nat().map((n) => ({ name: `truncated`, apply: (b: Buffer) => b.subarray(0, b.length === 0 ? 0 : n % b.length) })),
  },
  {
    weight: 3,
    arbitrary: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => ({
      name: 'bytes changed',
      apply: (b: Buffer) => {
        const out = Buffer.from(b);
        for (const [at, v] of flips) if (out.length) out[at % out.length] = v;
        return out;
      },
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 64 })
      .map((junk) => ({ name: 'junk appended', apply: (b: Buffer) => Buffer.concat([b, Buffer.from(junk)]) })),
  },
  {
    weight: 1,
    arbitrary: fc.nat().map((n) => ({ name: 'doubled', apply: (b: Buffer) => Buffer.concat([b, b.subarray(n % Math.max(1, b.length))]) })),
  },
);

/** Image bytes: a real image (maybe damaged), a lying header, or random bytes behind a magic number. */
export function imageBytesArbitrary(images: readonly BaseImage[]): fc.Arbitrary<{ name: string; bytes: Buffer; format: string }> {
  const real = fc.tuple(fc.nat({ max: images.length - 1 }), byteMutation).map(([i, m]) => {
    const image = images[i] as BaseImage;
    return { name: `${image.format} ${m.name}`, bytes: m.apply(image.bytes), format: image.format };
  });
  const lying = fc
    .tuple(
      fc.oneof(fc.constantFrom(0, 1, 65_535, 100_000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1), fc.integer({ min: 1, max: 5000 })),
      fc.oneof(fc.constantFrom(0, 1, 65_535, 100_000, 2 ** 31 - 1, 2 ** 32 - 1), fc.integer({ min: 1, max: 5000 })),
      fc.constantFrom(1, 2, 4, 8, 16, 3, 0, 255),
      fc.constantFrom(0, 2, 3, 4, 6, 1, 7),
      fc.uint8Array({ maxLength: 256 }),
    )
    .map(([w, h, depth, colour, idat]) => ({
      name: `png claiming ${w}x${h} depth ${depth} colour ${colour}`,
      bytes: lyingPng(w, h, depth, colour, Buffer.from(idat)),
      format: 'png',
    }));
  const magic = fc
    .tuple(fc.constantFrom(...(Object.keys(MAGIC) as Array<keyof typeof MAGIC>)), fc.uint8Array({ maxLength: 300 }))
    .map(([kind, tail]) => ({
      name: `${kind} magic + random`,
      bytes: Buffer.concat([Buffer.from(MAGIC[kind]), Buffer.from(tail)]),
      format: kind,
    }));
  return fc.oneof({ weight: 6, arbitrary: real }, { weight: 2, arbitrary: lying }, { weight: 2, arbitrary: magic });
}

export interface WavSpec {
  container: 'RIFF' | 'RIFX' | 'RF64' | 'JUNK';
  format: number;
  channels: number;
  rate: number;
  bits: number;
  blockAlign?: number;
  subformat?: number;
  data: Uint8Array;
  /** Declared sizes that may lie. */
  dataSize?: number;
  riffSize?: number;
  fmtSize?: number;
  extraChunk?: { id: string; body: Uint8Array };
  dataFirst: boolean;
}

/** A WAV file from its fields, including fields that contradict each other or the data. */
export function writeWav(spec: WavSpec): Buffer {
  const le = spec.container !== 'RIFX';
  const u16 = (v: number) => {
    const b = Buffer.alloc(2);
    le ? b.writeUInt16LE(v & 0xffff) : b.writeUInt16BE(v & 0xffff);
    return b;
  };
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    le ? b.writeUInt32LE(v >>> 0) : b.writeUInt32BE(v >>> 0);
    return b;
  };
  const chunk = (id: string, body: Buffer, size = body.length) =>
    Buffer.concat([Buffer.from(id.padEnd(4).slice(0, 4), 'latin1'), u32(size), body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  const blockAlign = spec.blockAlign ?? Math.max(1, (spec.channels * spec.bits) >> 3);
  let fmtBody = Buffer.concat([
    u16(spec.format),
    u16(spec.channels),
    u32(spec.rate),
    u32(spec.rate * blockAlign),
    u16(blockAlign),
    u16(spec.bits),
  ]);
  if (spec.format === 0xfffe) {
    const guidTail = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]);
    fmtBody = Buffer.concat([fmtBody, u16(22), u16(spec.bits), u32(0), u16(spec.subformat ?? 1), guidTail]);
  }
  const fmt = chunk('fmt ', fmtBody, spec.fmtSize ?? fmtBody.length);
  const data = chunk('data', Buffer.from(spec.data), spec.dataSize ?? spec.data.length);
  const extra = spec.extraChunk ? chunk(spec.extraChunk.id, Buffer.from(spec.extraChunk.body)) : Buffer.alloc(0);
  const body = Buffer.concat(spec.dataFirst ? [Buffer.from('WAVE'), data, fmt, extra] : [Buffer.from('WAVE'), extra, fmt, data]);
  return Buffer.concat([Buffer.from(spec.container, 'latin1'), u32(spec.riffSize ?? body.length), body]);
}

/** Samples for a clip: short (a VAD step is 512 samples at 16 kHz), so each request stays cheap. */
const samples = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 4096 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 16_000 }).map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 37) & 0xff)) },
);

/** Usually absent (the writer derives the right value), sometimes a lie. */
function sometimes<T>(lie: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: lie });
}

/** Encodings the decoder supports (most draws), then any combination at all. */
const encoding: fc.Arbitrary<[number, number]> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom<[number, number]>([1, 8], [1, 16], [1, 24], [1, 32], [3, 32], [3, 64], [0xfffe, 16], [0xfffe, 32]),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom<number>(0, 1, 2, 3, 6, 7, 0x55, 0xfffe, 0xffff),
      fc.constantFrom<number>(0, 1, 4, 7, 8, 12, 16, 20, 24, 32, 48, 64, 65_535),
    ),
  },
);

export const wavSpecArbitrary: fc.Arbitrary<WavSpec> = fc
  .record({
    container: fc.oneof(
      { weight: 8, arbitrary: fc.constant('RIFF' as const) },
      { weight: 1, arbitrary: fc.constantFrom('RIFX' as const, 'RF64' as const, 'JUNK' as const) },
    ),
    encoding,
    channels: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 1, max: 2 }) },
      { weight: 1, arbitrary: fc.constantFrom(0, 3, 8, 9, 255, 65_535) },
    ),
    rate: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(8000, 16_000, 22_050, 44_100, 48_000) },
      { weight: 1, arbitrary: fc.constantFrom(0, 1, 999, 1000, 384_000, 384_001, 2 ** 31, 2 ** 32 - 1) },
    ),
    blockAlign: sometimes(fc.constantFrom(0, 1, 3, 65_535)),
    subformat: sometimes(fc.constantFrom(1, 3, 0, 2)),
    data: samples,
    dataSize: sometimes(fc.constantFrom(0, 1, 0xffffffff, 0x7fffffff, 3)),
    riffSize: sometimes(fc.constantFrom(0, 4, 0xffffffff)),
    fmtSize: sometimes(fc.constantFrom(0, 2, 14, 16, 18, 40, 0xffffffff)),
    extraChunk: sometimes(
      fc.record({
        id: fc.constantFrom('LIST', 'fact', 'JUNK', 'cue ', 'smpl', 'data', 'fmt ', 'ds64'),
        body: fc.uint8Array({ maxLength: 40 }),
      }),
    ),
    dataFirst: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  })
  .map(({ encoding: [format, bits], ...rest }): WavSpec => ({ ...rest, format, bits }));

export const wavBytesArbitrary: fc.Arbitrary<{ name: string; bytes: Buffer }> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.tuple(wavSpecArbitrary, byteMutation).map(([spec, m]) => ({
      name: `wav ${spec.container} fmt ${spec.format} ${spec.channels}ch ${spec.rate} Hz ${spec.bits} bit, ${m.name}`,
      bytes: m.apply(writeWav(spec)),
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 200 })
      .map((b) => ({ name: 'RIFF magic + random', bytes: Buffer.concat([Buffer.from('RIFF'), Buffer.from(b)]) })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ name: 'random bytes', bytes: Buffer.from(b) })) },
);
