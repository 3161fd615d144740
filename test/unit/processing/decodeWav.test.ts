import { describe, expect, it } from 'vitest';
import { BadRequestError, PayloadTooLargeError } from '../../../lib/core/errors';
import { decodeWav } from '../../../lib/core/processing';
import { wavBytes } from './wavBytes';

function decodeError(bytes: Uint8Array, options = {}): Error & { status?: number } {
  try {
    decodeWav(bytes, options);
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected decodeWav to throw');
}

describe('decodeWav', () => {
  it('scales 16-bit PCM by 1/32768 and keeps the sample rate', () => {
    const clip = decodeWav(wavBytes({ rate: 22050, bits: 16, samples: [[0], [16384], [-32768], [32767]] }));
    expect(clip.sampleRate).toBe(22050);
    expect([...clip.channels[0]!]).toEqual([0, 0.5, -1, 32767 / 32768]);
  });

  it('reads 24-bit PCM, sign included', () => {
    const clip = decodeWav(wavBytes({ rate: 16000, bits: 24, samples: [[4194304], [-8388608], [-1], [8388607]] }));
    expect([...clip.channels[0]!]).toEqual([0.5, -1, -1 / 8388608, Math.fround(8388607 / 8388608)]);
  });

  it('reads 32-bit PCM', () => {
    const clip = decodeWav(wavBytes({ rate: 16000, bits: 32, samples: [[-1073741824], [2147483647]] }));
    expect([...clip.channels[0]!]).toEqual([-0.5, Math.fround(2147483647 / 2147483648)]);
  });

  it('reads 8-bit PCM as unsigned around 128', () => {
    const clip = decodeWav(wavBytes({ rate: 8000, bits: 8, samples: [[128], [0], [192]] }));
    expect([...clip.channels[0]!]).toEqual([0, -1, 0.5]);
  });

  it('reads 32- and 64-bit IEEE float, and float inside WAVE_FORMAT_EXTENSIBLE', () => {
    const values = [[0.25], [-0.75], [0.1]];
    const f32 = decodeWav(wavBytes({ rate: 48000, bits: 32, float: true, samples: values }));
    const f64 = decodeWav(wavBytes({ rate: 48000, bits: 64, float: true, samples: values }));
    const ext = decodeWav(wavBytes({ rate: 48000, bits: 32, float: true, extensible: true, samples: values }));
    const expected = values.map(([v]) => Math.fround(v!));
    expect([...f32.channels[0]!]).toEqual(expected);
    expect([...f64.channels[0]!]).toEqual(expected);
    expect([...ext.channels[0]!]).toEqual(expected);
  });

  it('de-interleaves channels', () => {
    const clip = decodeWav(
      wavBytes({
        rate: 16000,
        bits: 16,
        samples: [
          [16384, -16384],
          [8192, 0],
        ],
      }),
    );
    expect(clip.channels.map((c) => [...c])).toEqual([
      [0.5, 0.25],
      [-0.5, 0],
    ]);
  });

  it('answers 400 saying why for bytes that are not a WAV', () => {
    const error = decodeError(Buffer.from('ID3 this is an mp3, honestly'));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^invalid WAV: \S+/);
  });

  it('answers 400 when the data chunk is missing (file cut after the header)', () => {
    const wav = wavBytes({ rate: 16000, bits: 16, samples: [[1], [2]] });
    const error = decodeError(wav.subarray(0, 36));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/data/);
  });

  it('answers 400 for compressed WAV (mu-law) naming the format', () => {
    const error = decodeError(wavBytes({ rate: 8000, bits: 8, audioFormat: 7, samples: [[1]] }));
    expect(error.status).toBe(400);
    expect(error.message).toContain('audio format 7 is not supported');
  });

  it('answers 400 for an unsupported bit depth', () => {
    const bytes = wavBytes({ rate: 16000, bits: 16, samples: [[1], [2]] });
    bytes.writeUInt16LE(12, 34); // bitsPerSample: 12
    expect(decodeError(bytes).message).toContain('12-bit integer samples are not supported');
  });

  it('answers 413 for a clip longer than the configured limit', () => {
    const bytes = wavBytes({ rate: 8000, bits: 16, samples: Array.from({ length: 16001 }, () => [0]) });
    const error = decodeError(bytes, { maxSeconds: 2 });
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.status).toBe(413);
  });
});
