/**
 * The heaviest preprocessing the review found (issue 13 S2): a 6 MiB WAV at 383,999 Hz, whose
 * resampling to 16 kHz and recurrent VAD take seconds, and 6 MB JSON tensors, whose parsing
 * and encoding take hundreds of milliseconds each. Either one on the HTTP thread stalls /ping.
 */
export function bigWav(bytes = 6 * 1024 * 1024, rate = 383_999): Buffer {
  const samples = new Int16Array(Math.floor((bytes - 44) / 2));
  // A 440 Hz tone under a slow on/off envelope: some speech-like energy, some silence.
  for (let i = 0; i < samples.length; i++)
    samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate) * (Math.floor(i / rate) % 2));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples.byteLength, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples.byteLength, 40);
  return Buffer.concat([header, Buffer.from(samples.buffer)]);
}

/**
 * An OIP JSON request for the batchable test model (models.ts: x [batch, 16], ids [batch, 4])
 * of about `bytes` bytes (6 MB by default, under the 6 MiB body limit).
 */
export function bigJsonInfer(bytes = 6_000_000): string {
  const features = 16;
  // ~21 bytes per x value, ~2 per id: about 345 bytes per row.
  const rows = Math.floor(bytes / 345);
  const x = Array.from({ length: rows * features }, (_, i) => ((i * 7919) % 10_007) / 10_007 - 0.5);
  const ids = Array.from({ length: rows * 4 }, (_, i) => i % 10);
  return JSON.stringify({
    inputs: [
      { name: 'x', datatype: 'FP32', shape: [rows, features], data: x },
      { name: 'ids', datatype: 'INT32', shape: [rows, 4], data: ids },
    ],
  });
}
