/** Decoded audio: one Float32Array per channel, samples in [-1, 1]. */
export interface AudioClip {
  readonly sampleRate: number;
  readonly channels: readonly Float32Array[];
}

/** Mono samples at a known rate: what speech models take. */
export interface MonoAudio {
  readonly sampleRate: number;
  readonly samples: Float32Array;
}
