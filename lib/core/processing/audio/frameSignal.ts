export interface FrameOptions {
  /** Samples per frame. */
  frameLength: number;
  /** Samples between frame starts (default frameLength: no overlap). */
  hopLength?: number;
  /**
   * Zeros put before the first sample. A model that wants `context` samples of the previous
   * window before each `hop` new ones (Silero VAD: 64 + 512) is framed with
   * `frameLength = context + hop`, `hopLength = hop`, `leftPad = context`.
   */
  leftPad?: number;
  /** Zero-pad the last partial frame (default true); false drops it. */
  padEnd?: boolean;
}

/** Cuts a signal into frames of equal length; each frame is a fresh copy, safe to hand to a model. */
export function frameSignal(samples: Float32Array, options: FrameOptions): Float32Array[] {
  const { frameLength } = options;
  const hop = options.hopLength ?? frameLength;
  const leftPad = options.leftPad ?? 0;
  if (!(Number.isInteger(frameLength) && frameLength > 0))
    throw new RangeError(`frameLength must be a positive integer, got ${frameLength}`);
  if (!(Number.isInteger(hop) && hop > 0)) throw new RangeError(`hopLength must be a positive integer, got ${hop}`);
  if (!(Number.isInteger(leftPad) && leftPad >= 0)) throw new RangeError(`leftPad must be a non-negative integer, got ${leftPad}`);
  const total = samples.length + leftPad;
  if (samples.length === 0) return [];
  // Frame i covers padded[i * hop, i * hop + frameLength). With padEnd, frames continue until
  // one reaches the end of the signal; without, only whole frames are kept.
  const count =
    options.padEnd === false
      ? total < frameLength
        ? 0
        : Math.floor((total - frameLength) / hop) + 1
      : total <= frameLength
        ? 1
        : Math.ceil((total - frameLength) / hop) + 1;
  const frames: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const start = i * hop - leftPad; // index in `samples` of the frame's first element
    const frame = new Float32Array(frameLength);
    const from = Math.max(0, start);
    const to = Math.min(samples.length, start + frameLength);
    if (to > from) frame.set(samples.subarray(from, to), from - start);
    frames.push(frame);
  }
  return frames;
}
