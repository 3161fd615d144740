import type { AudioClip, MonoAudio } from './AudioClip';

/** Averages the channels (equal weights); a mono clip is passed through without copying. */
export function mixToMono(clip: AudioClip): MonoAudio {
  const [first, ...rest] = clip.channels;
  if (first === undefined) throw new RangeError('mixToMono needs at least one channel');
  if (rest.length === 0) return { sampleRate: clip.sampleRate, samples: first };
  const samples = new Float32Array(first.length);
  const weight = 1 / clip.channels.length;
  for (const channel of clip.channels) {
    for (let i = 0; i < samples.length; i++) samples[i]! += channel[i]! * weight;
  }
  return { sampleRate: clip.sampleRate, samples };
}
