import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLambdaHandler } from '../../lib/lambda/createLambdaHandler';
import { NO_SINK } from '../../lib/core/observability/sinks';
import { pipelines } from '../../lib/core/builtins';
import type { Pipeline } from '../../lib/core/pipeline/Pipeline';
import { DEFAULT_LIMITS } from '../../lib/core/protocol/limits';
import { jsonBody, type Result } from '../support/httpApiEvent';
import { allTypesIdentityModel, fixedShapeModel, writeModel } from '../support/onnxModels';
import { REAL_MODELS } from '../support/realModels';
import { tempDir } from '../support/testHandler';
import { COUNTEREXAMPLES, type Counterexample } from './counterexamples';

const dir = tempDir('onnxless-regressions-');
const handlers: Record<Counterexample['target'], (event: unknown) => Promise<Result>> = {
  types: handler('types', writeModel(join(dir, 'types.onnx'), allTypesIdentityModel())),
  fixed: handler('fixed', writeModel(join(dir, 'fixed.onnx'), fixedShapeModel())),
  textOrientation: handler('textOrientation', REAL_MODELS.textOrientation, pipelines.textOrientation),
  voiceActivity: handler('voiceActivity', REAL_MODELS.sileroVad, pipelines.voiceActivity),
};

function handler(name: string, path: string, pipeline?: Pipeline) {
  const raw = createLambdaHandler(
    {
      name,
      uri: path.startsWith('/') ? `file://${path}` : path,
      cacheDir: dir,
      eager: false,
      session: { intraOpThreads: 1 },
      limits: DEFAULT_LIMITS,
    },
    { sink: NO_SINK, pipeline },
  );
  return async (event: unknown) => (await raw(event)) as Result;
}

describe('counterexamples the fuzzers found', () => {
  it.each(COUNTEREXAMPLES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const result = await handlers[c.target](c.event);
    expect(result.statusCode).toBe(c.status);
    const body = jsonBody(result);
    if (c.status >= 400) expect(typeof body.error).toBe('string');
    else expect(body).not.toHaveProperty('error');
  });
});
