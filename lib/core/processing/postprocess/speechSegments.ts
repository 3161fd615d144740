export interface Segment {
  /** Seconds from the start of the clip. */
  start: number;
  end: number;
}

export interface SegmentOptions {
  /** Seconds between consecutive probabilities (Silero at 16 kHz: 512 / 16000 = 0.032). */
  frameSeconds: number;
  /** Clip length in seconds; segments are clamped to it. */
  totalSeconds: number;
  /** A segment opens when a probability reaches this (default 0.5). */
  threshold?: number;
  /** ...and may close only once probabilities fall below this (default threshold - 0.15, at least 0.01, at most threshold). */
  negThreshold?: number;
  /** Segments shorter than this are dropped (default 0.25 s). */
  minSpeechSeconds?: number;
  /** A dip must last this long to close a segment (default 0.1 s); shorter pauses are bridged. */
  minSilenceSeconds?: number;
  /** Widen each segment by this on both sides, never into its neighbour (default 0.03 s). */
  padSeconds?: number;
  /** Decimal places of the returned times (default 3, milliseconds). */
  decimals?: number;
}

/**
 * Per-frame probabilities -> [start, end) segments, with hysteresis (open at `threshold`,
 * close below `negThreshold`) and minimum durations. The defaults are those of Silero VAD's
 * get_speech_timestamps (threshold 0.5, 250 ms speech, 100 ms silence, 30 ms padding).
 */
export function thresholdSegments(probabilities: ArrayLike<number>, options: SegmentOptions): Segment[] {
  const threshold = options.threshold ?? 0.5;
  // Never above the threshold: a caller's ?threshold=0.005 must not make the default invalid (found by test/fuzz).
  const negThreshold = options.negThreshold ?? Math.min(threshold, Math.max(threshold - 0.15, 0.01));
  const minSpeech = options.minSpeechSeconds ?? 0.25;
  const minSilence = options.minSilenceSeconds ?? 0.1;
  const pad = options.padSeconds ?? 0.03;
  const { frameSeconds, totalSeconds } = options;
  if (!(frameSeconds > 0)) throw new RangeError(`frameSeconds must be positive, got ${frameSeconds}`);
  if (negThreshold > threshold) throw new RangeError(`negThreshold ${negThreshold} is above threshold ${threshold}`);

  // Durations are compared in frames (with a little slack): 0.3 - 0.2 >= 0.1 is false in floating point.
  const frames = (seconds: number) => seconds / frameSeconds - 1e-9;
  const raw: Segment[] = [];
  let start: number | undefined; // frame index where the open segment began
  let silenceSince: number | undefined; // frame index where the current dip began
  const close = (endFrame: number) => {
    if (start !== undefined && endFrame - start >= frames(minSpeech)) {
      raw.push({ start: start * frameSeconds, end: Math.min(totalSeconds, endFrame * frameSeconds) });
    }
    start = undefined;
    silenceSince = undefined;
  };
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    if (p >= threshold) {
      silenceSince = undefined;
      start ??= i;
    } else if (start !== undefined && p < negThreshold) {
      silenceSince ??= i;
      if (i - silenceSince >= frames(minSilence)) close(silenceSince);
    }
  }
  if (start !== undefined) close(Math.min(probabilities.length, totalSeconds / frameSeconds));

  const round = (t: number) => Number(t.toFixed(options.decimals ?? 3));
  return raw.map((segment, i) => {
    const previousEnd = raw[i - 1]?.end ?? 0;
    const nextStart = raw[i + 1]?.start ?? totalSeconds;
    return {
      start: round(Math.max(0, previousEnd, segment.start - pad)),
      end: round(Math.min(totalSeconds, nextStart, segment.end + pad)),
    };
  });
}
