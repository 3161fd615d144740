import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { toPublicError } from '../../lib/core/errors';
import { createLambdaHandler } from '../../lib/lambda/createLambdaHandler';
import { DEFAULT_LIMITS } from '../../lib/core/protocol/limits';
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
import { nearValidInferArbitrary, type InputSpec } from '../support/fuzz/nearValidInfer';
import { inferEventArbitrary, requestArbitrary, routeEventArbitrary } from '../support/fuzz/oipArbitraries';
import type { Result } from '../support/httpApiEvent';
import { allTypesIdentityModel, fixedShapeModel, ONNX_TYPES, writeModel } from '../support/onnxModels';
import { tempDir } from '../support/testHandler';

/**
 * The generic tensor handler under fuzzed HTTP: whatever arrives, the answer is a well-formed
 * 2xx or 4xx with a JSON error, never a 5xx, a crash or an unhandled rejection, and memory
 * stays flat. Sized for a slow 2-core CI machine: ~8,500 requests in well under 30 s.
 */
const RUNS = { fixedInfer: 2500, typesInfer: 2500, fixedNear: 3000, typesNear: 3000, routes: 1500, invoke: 1000 } as const;
/**
 * Bounds on growth after the warm-up, over every fuzzed request. RSS: V8 keeps freed heap pages,
 * so it moves 5-45 MB between identical runs; 96 MB is what a leak of ~7 KB per request would
 * pass. The live heap after GC is steadier: 16 MB is ~1 KB per request.
 */
const RSS_BOUND_MB = 96;
const HEAP_BOUND_MB = 16;
const WARM_UP = 500;

const dir = tempDir('onnxless-fuzz-');
const sink = new CountingSink();
const limits = { ...DEFAULT_LIMITS, maxBodyBytes: 64 * 1024, maxTensorElements: 1 << 20 };
function handlerFor(name: string, bytes: Uint8Array) {
  const raw = createLambdaHandler(
    { name, uri: writeModel(join(dir, `${name}.onnx`), bytes), cacheDir: dir, eager: false, session: { intraOpThreads: 1 }, limits },
    { sink },
  );
  return async (event: unknown) => (await raw(event, { awsRequestId: 'fuzz', getRemainingTimeInMillis: () => 60_000 })) as Result;
}
const fixed = handlerFor('fixed', fixedShapeModel());
const types = handlerFor('types', allTypesIdentityModel());
const typeNames = Object.keys(ONNX_TYPES);
const OIP_OF: Record<string, string> = {
  float32: 'FP32',
  uint8: 'UINT8',
  int8: 'INT8',
  uint16: 'UINT16',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  string: 'BYTES',
  bool: 'BOOL',
  float16: 'FP16',
  float64: 'FP64',
  uint32: 'UINT32',
  uint64: 'UINT64',
};
const figures: FuzzFigures[] = [];
let before = { rss: 0, heap: 0 };
const started = performance.now();

afterAll(() => console.log(`fuzz figures: ${JSON.stringify(figures)}`));

function typeInputs(): InputSpec[] {
  return typeNames.map((t) => ({ name: `in_${t}`, datatype: OIP_OF[t] as InputSpec['datatype'], shape: [null, null] }));
}

async function check(handler: (e: unknown) => Promise<Result>, event: unknown): Promise<void> {
  assertWellFormed(await handler(event));
}

describe('fuzzing the generic handler over HTTP', () => {
  it(`warms up: both models load and answer ${WARM_UP} fuzzed requests before RSS is measured`, async () => {
    const ok = await fixed({ requestContext: { http: { method: 'GET' } }, rawPath: '/v2/models/fixed/ready', headers: {} });
    expect(ok.statusCode).toBe(200);
    expect((await types({ requestContext: { http: { method: 'GET' } }, rawPath: '/v2/models/types', headers: {} })).statusCode).toBe(200);
    for (const { event } of fc.sample(
      nearValidInferArbitrary(
        'types',
        typeInputs(),
        typeNames.map((t) => `out_${t}`),
      ),
      WARM_UP,
    )) {
      assertWellFormed(await types(event));
    }
    before = settledMemoryMb();
  });

  it(`answers ${RUNS.fixedInfer} fuzzed infer requests to a fixed-shape model with no 5xx`, async () => {
    const { unhandled } = await watchingProcess(() =>
      fc.assert(
        fc.asyncProperty(inferEventArbitrary('fixed', ['x', 'a', 'b'], ['y', 'sum']), ({ event }) => check(fixed, event)),
        fuzzParameters(RUNS.fixedInfer),
      ),
    );
    expect(unhandled).toEqual([]);
  });

  it(`answers ${RUNS.typesInfer} fuzzed infer requests over every datatype with no 5xx`, async () => {
    const names = typeNames.map((t) => `in_${t}`);
    const outputs = typeNames.map((t) => `out_${t}`);
    const { unhandled } = await watchingProcess(() =>
      fc.assert(
        fc.asyncProperty(inferEventArbitrary('types', names, outputs), ({ event }) => check(types, event)),
        fuzzParameters(RUNS.typesInfer),
      ),
    );
    expect(unhandled).toEqual([]);
  });

  it(`answers ${RUNS.fixedNear} near-valid requests (one or two things wrong) to the fixed-shape model with no 5xx`, async () => {
    const inputs: InputSpec[] = [
      { name: 'x', datatype: 'FP32', shape: [2, 3] },
      { name: 'a', datatype: 'FP32', shape: [null] },
      { name: 'b', datatype: 'FP32', shape: [null] },
    ];
    const { unhandled } = await watchingProcess(() =>
      fc.assert(
        fc.asyncProperty(nearValidInferArbitrary('fixed', inputs, ['y', 'sum']), ({ event }) => check(fixed, event)),
        fuzzParameters(RUNS.fixedNear),
      ),
    );
    expect(unhandled).toEqual([]);
  });

  it(`answers ${RUNS.typesNear} near-valid requests over every datatype, JSON and binary, with no 5xx`, async () => {
    const inputs = typeInputs();
    const outputs = typeNames.map((t) => `out_${t}`);
    const { unhandled } = await watchingProcess(() =>
      fc.assert(
        fc.asyncProperty(nearValidInferArbitrary('types', inputs, outputs), ({ event }) => check(types, event)),
        fuzzParameters(RUNS.typesNear),
      ),
    );
    expect(unhandled).toEqual([]);
  });

  it(`answers ${RUNS.routes} fuzzed methods and paths with no 5xx`, async () => {
    const { unhandled } = await watchingProcess(() =>
      fc.assert(
        fc.asyncProperty(routeEventArbitrary('fixed'), ({ event }) => check(fixed, event)),
        fuzzParameters(RUNS.routes),
      ),
    );
    expect(unhandled).toEqual([]);
  });

  it(`answers ${RUNS.invoke} fuzzed direct invocations with a result or a 4xx error`, async () => {
    const payload = fc.oneof(requestArbitrary(['x', 'a', 'b'], ['y', 'sum']), fc.jsonValue({ maxDepth: 3 }));
    const { unhandled } = await watchingProcess(() =>
      fc.assert(
        fc.asyncProperty(payload, async (p) => {
          try {
            await fixed(p);
          } catch (err) {
            if (toPublicError(err).status >= 500) throw err;
          }
        }),
        fuzzParameters(RUNS.invoke),
      ),
    );
    expect(unhandled).toEqual([]);
  });

  it(`kept RSS growth under ${RSS_BOUND_MB} MB and live-heap growth under ${HEAP_BOUND_MB} MB across every fuzzed request`, () => {
    const grew = growth(before, settledMemoryMb());
    figures.push(
      summarize('generic handler (OIP v2 over API Gateway v2 + direct invoke)', sink, grew, (performance.now() - started) / 1000),
    );
    expect(sink.requests).toBeGreaterThanOrEqual(Object.values(RUNS).reduce((a, b) => a + b, 0) + WARM_UP);
    expect([...sink.byStatus.keys()].filter((s) => s >= 500)).toEqual([]);
    expect(grew.rss).toBeLessThan(RSS_BOUND_MB);
    expect(grew.heap).toBeLessThan(HEAP_BOUND_MB);
  });
});
