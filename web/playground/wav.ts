/**
 * A few seconds from the microphone as a 16-bit PCM WAV file: what the audio routes take.
 * MediaRecorder gives compressed audio (webm/ogg), which the browser decodes back to samples.
 */
export async function recordWav(seconds: number): Promise<Blob> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  try {
    const recorder = new MediaRecorder(stream);
    const chunks: Blob[] = [];
    recorder.addEventListener('dataavailable', (e) => chunks.push(e.data));
    const stopped = new Promise((resolve) => recorder.addEventListener('stop', resolve));
    recorder.start();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    recorder.stop();
    await stopped;
    const encoded = await new Blob(chunks).arrayBuffer();
    const audio = await new OfflineAudioContext(1, 1, 16_000).decodeAudioData(encoded);
    return wavFile(audio.getChannelData(0), audio.sampleRate);
  } finally {
    for (const track of stream.getTracks()) track.stop();
  }
}

/** Mono samples in [-1, 1] as a RIFF/WAVE file, PCM 16-bit little-endian. */
export function wavFile(samples: Float32Array, rate: number): Blob {
  const view = new DataView(new ArrayBuffer(44 + samples.length * 2));
  const text = (at: number, s: string) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  text(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => view.setInt16(44 + i * 2, Math.round(Math.max(-1, Math.min(1, s)) * 0x7fff), true));
  return new Blob([view.buffer], { type: 'audio/wav' });
}
