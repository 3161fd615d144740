/**
 * A hand-rolled WAV writer for tests, independent of the decoder under test: 44-byte canonical
 * header (or the 40-byte-fmt WAVE_FORMAT_EXTENSIBLE one) and little-endian samples.
 * `samples[frame][channel]` are raw codes: integers for PCM, floats for IEEE float.
 */
export function wavBytes(options: {
  rate: number;
  bits: 8 | 16 | 24 | 32 | 64;
  float?: boolean;
  extensible?: boolean;
  audioFormat?: number;
  samples: number[][];
}): Buffer {
  const channels = options.samples[0]?.length ?? 1;
  const bytesPerSample = options.bits / 8;
  const data = Buffer.alloc(options.samples.length * channels * bytesPerSample);
  let offset = 0;
  for (const frame of options.samples) {
    for (const value of frame) {
      if (options.float) {
        if (options.bits === 32) data.writeFloatLE(value, offset);
        else data.writeDoubleLE(value, offset);
      } else if (options.bits === 8) data.writeUInt8(value, offset);
      else if (options.bits === 16) data.writeInt16LE(value, offset);
      else if (options.bits === 24) data.writeIntLE(value, offset, 3);
      else data.writeInt32LE(value, offset);
      offset += bytesPerSample;
    }
  }
  const format = options.audioFormat ?? (options.float ? 3 : 1);
  const fmt = Buffer.alloc(options.extensible ? 40 : 16);
  fmt.writeUInt16LE(options.extensible ? 0xfffe : format, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(options.rate, 4);
  fmt.writeUInt32LE(options.rate * channels * bytesPerSample, 8);
  fmt.writeUInt16LE(channels * bytesPerSample, 12);
  fmt.writeUInt16LE(options.bits, 14);
  if (options.extensible) {
    fmt.writeUInt16LE(22, 16); // cbSize
    fmt.writeUInt16LE(options.bits, 18); // valid bits
    fmt.writeUInt32LE(channels === 2 ? 3 : 4, 20); // channel mask
    // Subformat GUID: format code, then 0000-0010-8000-00aa00389b71.
    Buffer.from([format, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]).copy(fmt, 24);
  }
  const chunk = (id: string, body: Buffer) => {
    const header = Buffer.alloc(8);
    header.write(id, 0, 'ascii');
    header.writeUInt32LE(body.length, 4);
    return Buffer.concat([header, body, Buffer.alloc(body.length % 2)]);
  };
  const body = Buffer.concat([Buffer.from('WAVE', 'ascii'), chunk('fmt ', fmt), chunk('data', data)]);
  return chunk('RIFF', body);
}
