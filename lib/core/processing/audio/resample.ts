import type { MonoAudio } from './AudioClip';

export interface ResampleOptions {
  /** Zero crossings of the sinc on each side at the lower of the two rates (default 16: ~45 dB stopband with a Hann window). */
  zeroCrossings?: number;
  /** Cutoff as a fraction of the output Nyquist when downsampling (default 0.95, leaving room for the transition band). */
  rolloff?: number;
}

// Beyond this many precomputed taps (rate pairs with a tiny gcd, e.g. 44101 -> 16000) the
// kernel is evaluated per output sample instead: slower, same result.
const MAX_TABLE = 1 << 22;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Band-limited resampling with a Hann-windowed sinc: output sample n sits at input position
 * p = n * from / to and is the kernel-weighted mean of the inputs around p, the weights
 * normalised to sum to 1 (a constant stays exactly constant, up to the edges). When
 * downsampling the sinc is stretched so its cutoff lies below the new Nyquist: without that
 * low-pass (plain linear interpolation), a 10 kHz tone resampled from 48 to 16 kHz comes back
 * as a loud 6 kHz alias.
 *
 * The kernel is tabulated once per phase: with g = gcd(from, to) there are only to/g distinct
 * fractional positions (160 for 44.1 -> 16 kHz).
 */
export function resample(audio: MonoAudio, toRate: number, options: ResampleOptions = {}): MonoAudio {
  const fromRate = audio.sampleRate;
  if (!(Number.isInteger(fromRate) && fromRate > 0 && Number.isInteger(toRate) && toRate > 0)) {
    throw new RangeError(`resample needs positive integer rates, got ${fromRate} -> ${toRate}`);
  }
  if (fromRate === toRate) return { sampleRate: toRate, samples: audio.samples.slice() };
  const input = audio.samples;
  const zeroCrossings = options.zeroCrossings ?? 16;
  const cutoff = toRate < fromRate ? (toRate / fromRate) * (options.rolloff ?? 0.95) : 1;
  const halfWidth = zeroCrossings / cutoff; // in input samples
  const reach = Math.ceil(halfWidth);
  const taps = 2 * reach;
  const kernel = (t: number): number => {
    if (Math.abs(t) >= halfWidth) return 0;
    const window = 0.5 + 0.5 * Math.cos((Math.PI * t) / halfWidth);
    const x = Math.PI * cutoff * t;
    return (x === 0 ? 1 : Math.sin(x) / x) * window;
  };

  const g = gcd(fromRate, toRate);
  const phases = toRate / g;
  const step = fromRate / g;
  const table = phases * taps <= MAX_TABLE ? new Float64Array(phases * taps) : undefined;
  if (table) {
    for (let phase = 0; phase < phases; phase++) {
      for (let j = 0; j < taps; j++) table[phase * taps + j] = kernel(phase / phases + reach - 1 - j);
    }
  }

  const outLength = Math.ceil((input.length * toRate) / fromRate);
  const output = new Float32Array(outLength);
  for (let n = 0; n < outLength; n++) {
    // Integer arithmetic for the position: no drift over long clips.
    const position = n * step;
    const k0 = Math.floor(position / phases);
    const phase = position - k0 * phases;
    const first = k0 - reach + 1; // input index of tap 0
    let sum = 0;
    let weights = 0;
    const jStart = Math.max(0, -first);
    const jEnd = Math.min(taps, input.length - first);
    for (let j = jStart; j < jEnd; j++) {
      const w = table ? table[phase * taps + j]! : kernel(phase / phases + reach - 1 - j);
      sum += input[first + j]! * w;
      weights += w;
    }
    output[n] = weights === 0 ? 0 : sum / weights;
  }
  return { sampleRate: toRate, samples: output };
}
