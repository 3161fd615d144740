import wavefile from 'wavefile';
import { BadRequestError, PayloadTooLargeError } from '../../errors';
import type { AudioClip } from './AudioClip';

/** Encodings the decoder reads: linear PCM and IEEE float. Compressed WAV (ADPCM, mu-law...) is refused. */
const WAVE_FORMAT = { PCM: 1, IEEE_FLOAT: 3, EXTENSIBLE: 0xfffe } as const;
const INT_BITS = [8, 16, 24, 32] as const;
const FLOAT_BITS = [32, 64] as const;

export interface DecodeWavOptions {
  /** Longest accepted clip; longer ones are a 413 (default 10 minutes). */
  maxSeconds?: number;
  /** Most channels accepted (default 8). */
  maxChannels?: number;
}

interface Fmt {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  bitsPerSample: number;
  subformat?: number[];
}

/**
 * WAV bytes -> per-channel float samples in [-1, 1].
 *
 * wavefile walks the RIFF/RIFX/RF64 chunks (fmt, data, odd-sized chunks, padding). The samples
 * are converted here from the data chunk's bytes with a DataView rather than wavefile's
 * getSamples(): wavefile reads WAVE_FORMAT_EXTENSIBLE float files as integers, and returns
 * integer samples unscaled, so the scaling rules (8-bit unsigned, 2^(n-1) for signed) live here.
 */
export function decodeWav(bytes: Uint8Array, options: DecodeWavOptions = {}): AudioClip {
  const maxSeconds = options.maxSeconds ?? 600;
  const maxChannels = options.maxChannels ?? 8;
  let wav: wavefile.WaveFile;
  try {
    wav = new wavefile.WaveFile();
    wav.fromBuffer(withoutCountedChunks(bytes), true);
  } catch (err) {
    throw new BadRequestError(`invalid WAV: ${(err as Error).message}`, { cause: err });
  }
  const fmt = wav.fmt as Fmt;
  const isFloat = sampleIsFloat(fmt);
  const bits = fmt.bitsPerSample;
  if (isFloat ? !(FLOAT_BITS as readonly number[]).includes(bits) : !(INT_BITS as readonly number[]).includes(bits)) {
    throw new BadRequestError(
      `invalid WAV: ${bits}-bit ${isFloat ? 'float' : 'integer'} samples are not supported; use 8/16/24/32-bit PCM or 32/64-bit float`,
    );
  }
  if (!(fmt.numChannels >= 1 && fmt.numChannels <= maxChannels)) {
    throw new BadRequestError(`invalid WAV: ${fmt.numChannels} channels; 1 to ${maxChannels} are supported`);
  }
  if (!(fmt.sampleRate >= 1000 && fmt.sampleRate <= 384_000)) {
    throw new BadRequestError(`invalid WAV: sample rate ${fmt.sampleRate} Hz is outside 1000..384000`);
  }
  const chunk = wav.data as { samples: Uint8Array; chunkSize: number };
  // wavefile keeps the RIFF pad byte of an odd-sized data chunk; the declared size is the truth,
  // unless it is 0 or too large, as streaming writers leave it.
  const declared = chunk.chunkSize > 0 && chunk.chunkSize < chunk.samples.length ? chunk.chunkSize : chunk.samples.length;
  const data = chunk.samples.subarray(0, declared);
  const bytesPerSample = bits / 8;
  const frames = Math.floor(data.length / (bytesPerSample * fmt.numChannels));
  if (frames === 0) throw new BadRequestError('invalid WAV: the data chunk holds no samples');
  if (frames / fmt.sampleRate > maxSeconds) {
    throw new PayloadTooLargeError(`audio is ${(frames / fmt.sampleRate).toFixed(1)} s long, over the limit of ${maxSeconds} s`);
  }
  const read = sampleReader(isFloat, bits, wav.container !== 'RIFX');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const channels = Array.from({ length: fmt.numChannels }, () => new Float32Array(frames));
  for (let frame = 0, offset = 0; frame < frames; frame++) {
    for (const channel of channels) {
      channel[frame] = read(view, offset);
      offset += bytesPerSample;
    }
  }
  return { sampleRate: fmt.sampleRate, channels };
}

/**
 * wavefile reads the entry count of a 'cue ' or 'smpl' chunk from the file and loops that many
 * times: a 60-byte WAV claiming 2^32 cue points exhausts the heap (found by test/fuzz). Neither
 * chunk matters for the samples, so they are renamed before parsing (in a copy), walking the
 * top-level chunks exactly as wavefile does: id, size, size bytes, a pad byte after odd sizes.
 */
function withoutCountedChunks(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 12) return bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const littleEndian = String.fromCharCode(...bytes.subarray(0, 4)) !== 'RIFX';
  let copy: Uint8Array | undefined;
  for (let i = 12; i <= bytes.length - 8;) {
    const id = String.fromCharCode(...bytes.subarray(i, i + 4));
    if (id === 'cue ' || id === 'smpl') {
      copy ??= Uint8Array.from(bytes);
      copy.set([0x73, 0x6b, 0x69, 0x70], i); // 'skip': a chunk id wavefile does not read
    }
    i += 8 + view.getUint32(i + 4, littleEndian);
    if (i % 2) i += 1;
  }
  return copy ?? bytes;
}

function sampleIsFloat(fmt: Fmt): boolean {
  // Extensible files carry the real format in the first field of the subformat GUID.
  const format = fmt.audioFormat === WAVE_FORMAT.EXTENSIBLE ? fmt.subformat?.[0] : fmt.audioFormat;
  if (format === WAVE_FORMAT.PCM) return false;
  if (format === WAVE_FORMAT.IEEE_FLOAT) return true;
  throw new BadRequestError(
    `invalid WAV: audio format ${format ?? fmt.audioFormat} is not supported; only PCM (1) and IEEE float (3) are, compressed WAV is not`,
  );
}

type SampleReader = (view: DataView, offset: number) => number;

function sampleReader(isFloat: boolean, bits: number, le: boolean): SampleReader {
  if (isFloat) {
    return bits === 32 ? (v, o) => v.getFloat32(o, le) : (v, o) => v.getFloat64(o, le);
  }
  switch (bits) {
    case 8: // 8-bit WAV is unsigned with 128 as zero.
      return (v, o) => (v.getUint8(o) - 128) / 128;
    case 16:
      return (v, o) => v.getInt16(o, le) / 32768;
    case 24:
      return le
        ? (v, o) => ((v.getInt8(o + 2) << 16) | (v.getUint8(o + 1) << 8) | v.getUint8(o)) / 8388608
        : (v, o) => ((v.getInt8(o) << 16) | (v.getUint8(o + 1) << 8) | v.getUint8(o + 2)) / 8388608;
    default:
      return (v, o) => v.getInt32(o, le) / 2147483648;
  }
}
