import { describe, expect, it } from 'vitest';
import { createPipelineHandler } from '../../../lib/lambda/createPipelineHandler';
import { EXAMPLE_WEIGHTS } from '../../../lib/tools/local/exampleWeights';
import { createOcr } from '../../../lib/core/builtins/ocr';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { httpApiEvent, jsonBody, type Result } from '../../support/httpApiEvent';
import { tempDir } from '../../support/testHandler';
import { renderPage } from './ocrPage';

const MEMBERS = { detection: 'ocr-detection', orientation: 'ocr-orientation', recognition: 'ocr-recognition' } as const;

/** The pipeline's Lambda entry, members from their files, counting session creations. */
function ocrHandler() {
  const created: string[] = [];
  const handler = createPipelineHandler(
    {
      name: 'ocr',
      members: Object.fromEntries(
        Object.entries(MEMBERS).map(([role, name]) => [role, { name, uri: EXAMPLE_WEIGHTS[name]!, version: '1' }]),
      ),
      cacheDir: tempDir(),
      eager: false,
      session: { intraOpThreads: 1 },
      limits: DEFAULT_LIMITS,
    },
    { pipeline: createOcr(), events: { onSessionCreate: (model) => created.push(model) }, sink: { onRequest: () => {}, onLoad: () => {} } },
  );
  return { invoke: (event: unknown) => handler(event) as Promise<Result>, created };
}

describe('a pipeline function loading its models', () => {
  it('loads each member once for concurrent first requests, shared by the pipeline and the members OIP routes', async () => {
    const { invoke, created } = ocrHandler();
    const page = await renderPage([{ text: 'river stone K7Q2', fontSize: 28 }]);
    const results = await Promise.all([
      ...Array.from({ length: 3 }, () =>
        invoke(httpApiEvent('POST', '/models/ocr/predict', { body: page.png, headers: { 'content-type': 'image/png' } })),
      ),
      invoke(httpApiEvent('GET', '/v2/models/ocr/ready')),
      invoke(httpApiEvent('GET', '/v2/models/ocr-recognition')),
    ]);
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect((jsonBody(results[0]!) as { lines: { text: string }[] }).lines.map((l) => l.text)).toEqual(['river stone K7Q2']);
    expect(created.sort()).toEqual(['ocr-detection', 'ocr-orientation', 'ocr-recognition']);
  }, 60_000);

  it('fails at start naming a role its pipeline needs and the configuration lacks', () => {
    expect(() =>
      createPipelineHandler(
        {
          name: 'ocr',
          members: { detection: { name: 'd', uri: EXAMPLE_WEIGHTS['ocr-detection']! } },
          cacheDir: tempDir(),
          eager: false,
          session: {},
          limits: DEFAULT_LIMITS,
        },
        { pipeline: createOcr(), sink: { onRequest: () => {}, onLoad: () => {} } },
      ),
    ).toThrow(/pipeline 'ocr' needs models for orientation, recognition/);
  });
});
