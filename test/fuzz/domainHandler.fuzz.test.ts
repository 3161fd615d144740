import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaHandler } from '../../lib/lambda/createLambdaHandler';
import type { Pipeline } from '../../lib/core/pipeline/Pipeline';
import { pipelines } from '../../lib/core/builtins';
import { IMAGE_MEDIA_TYPES, WAV_MEDIA_TYPES } from '../../lib/core/processing';
import { DEFAULT_LIMITS } from '../../lib/core/protocol/limits';
import { predictEventArbitrary, vadQuery } from '../support/fuzz/domainArbitraries';
import {
  assertWellFormed,
  CountingSink,
  fuzzParameters,
  growth,
  settledMemoryMb,
  summarize,
  watchingProcess,
  type FuzzFigures,
} from '../support/fuzz/fuzzHarness';
import { baseImages, imageBytesArbitrary, wavBytesArbitrary, type BaseImage } from '../support/fuzz/mediaArbitraries';
import type { Result } from '../support/httpApiEvent';
import { REAL_MODELS } from '../support/realModels';
import { tempDir } from '../support/testHandler';

/**
 * Two domain routes on their real models under fuzzed media: the text-orientation classifier
 * (images: PNG, JPEG, WebP) and Silero VAD (WAV). Truncated, corrupted and lying files, bombs,
 * wrong content types, broken base64: never a 5xx, a crash or an unhandled rejection.
 */
const RUNS = { images: Number(process.env.FUZZ_IMAGES ?? 2000), wavs: Number(process.env.FUZZ_WAVS ?? 2000) } as const;
/**
 * After the warm-up (libvips caches and thread pools, onnxruntime arenas, JIT), memory must not
 * grow with the request count. Measured over 16,000 requests: images drift ~1 MB per 1,000
 * (allocator fragmentation), WAVs stay flat. 96 MB of RSS is what a leak of ~21 KB per request
 * (about one decoded test image) would pass; the live JS heap after GC must stay within 16 MB.
 */
const RSS_BOUND_MB = 96;
const HEAP_BOUND_MB = 16;
const WARM_UP = 300;

const dir = tempDir('onnxless-fuzz-domain-');
const sink = new CountingSink();
function handlerFor(name: string, model: string, pipeline: Pipeline) {
  const raw = createLambdaHandler(
    { name, uri: `file://${model}`, cacheDir: dir, eager: false, session: { intraOpThreads: 1 }, limits: DEFAULT_LIMITS },
    { sink, pipeline },
  );
  return async (event: unknown) => (await raw(event, { awsRequestId: 'fuzz', getRemainingTimeInMillis: () => 60_000 })) as Result;
}
const orientation = handlerFor('text-orientation', REAL_MODELS.textOrientation, pipelines.textOrientation);
const vad = handlerFor('voice-activity', REAL_MODELS.sileroVad, pipelines.voiceActivity);
const figures: FuzzFigures[] = [];
let images: BaseImage[] = [];
let before = { rss: 0, heap: 0 };
const started = performance.now();

beforeAll(async () => {
  images = await baseImages();
});
afterAll(() => console.log(`fuzz figures: ${JSON.stringify(figures)}`));

describe('fuzzing two domain routes', () => {
  it(`warms up: both models answer, then ${WARM_UP} fuzzed requests each fill caches and pools before RSS is measured`, async () => {
    const png = images.find((i) => i.format === 'png') as BaseImage;
    const ok = await orientation({ ...predict('text-orientation', png.bytes, 'image/png') });
    expect(ok.statusCode).toBe(200);
    for (const { event } of fc.sample(imageEvents(), WARM_UP)) assertWellFormed(await orientation(event));
    for (const { event } of fc.sample(wavEvents(), WARM_UP)) assertWellFormed(await vad(event));
    before = settledMemoryMb();
  });

  it(`answers ${RUNS.images} fuzzed images to the text-orientation route with no 5xx`, async () => {
    const events = imageEvents();
    const { unhandled } = await watchingProcess(() =>
      fc.assert(
        fc.asyncProperty(events, async ({ event }) => assertWellFormed(await orientation(event))),
        fuzzParameters(RUNS.images),
      ),
    );
    expect(unhandled).toEqual([]);
  });

  it(`answers ${RUNS.wavs} fuzzed WAVs to the voice-activity route with no 5xx`, async () => {
    const events = wavEvents();
    const { unhandled } = await watchingProcess(() =>
      fc.assert(
        fc.asyncProperty(events, async ({ event }) => assertWellFormed(await vad(event))),
        fuzzParameters(RUNS.wavs),
      ),
    );
    expect(unhandled).toEqual([]);
  });

  it(`kept RSS growth under ${RSS_BOUND_MB} MB and live-heap growth under ${HEAP_BOUND_MB} MB across every fuzzed request`, () => {
    const grew = growth(before, settledMemoryMb());
    figures.push(
      summarize('domain routes (text orientation: images; voice activity: WAV)', sink, grew, (performance.now() - started) / 1000),
    );
    expect(sink.requests).toBeGreaterThanOrEqual(RUNS.images + RUNS.wavs + 2 * WARM_UP);
    expect([...sink.byStatus.keys()].filter((s) => s >= 500)).toEqual([]);
    expect(grew.rss).toBeLessThan(RSS_BOUND_MB);
    expect(grew.heap).toBeLessThan(HEAP_BOUND_MB);
  });
});

function imageEvents() {
  return predictEventArbitrary('text-orientation', imageBytesArbitrary(images), 'image', IMAGE_MEDIA_TYPES);
}

function wavEvents() {
  return predictEventArbitrary('voice-activity', wavBytesArbitrary, 'audio', WAV_MEDIA_TYPES, vadQuery);
}

function predict(model: string, body: Buffer, contentType: string) {
  return {
    version: '2.0',
    rawPath: `/models/${model}/predict`,
    headers: { 'content-type': contentType },
    requestContext: { http: { method: 'POST', path: `/models/${model}/predict` }, requestId: 'warm' },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}
