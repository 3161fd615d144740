import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModelEntry, PipelineEntry } from '../../../lib/core/registry/index';
import { GRAPH_OPTIMIZATION_LEVELS } from '../../../lib/core/onnx/SessionOptions';
import { modelConfigFromEnv } from '../../../lib/lambda/modelConfigFromEnv';
import { pipelineConfigFromEnv } from '../../../lib/lambda/pipelineConfigFromEnv';
import { modelEnvironment } from '../../../lib/tools/deploy/plan';
import { pipelineEnvironment } from '../../../lib/tools/deploy/pipelineFunction';

// The function environment is the contract between the deploy (which writes it) and the
// handlers (which read nothing else): whatever the registry holds must come back as it was meant.

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const weights = fc
  .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{2,20}$/), name, fc.option(fc.integer({ min: 1, max: 999 }), { nil: undefined }))
  .map(([bucket, model, version]) => `s3://${bucket}/${model}/${version === undefined ? '' : `${version}/`}model.onnx`);
const pin = fc.option(fc.stringMatching(/^[0-9a-fA-F]{64}$/), { nil: undefined });
const settings = {
  eager: fc.option(fc.boolean(), { nil: undefined }),
  intraOpThreads: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
  graphOptimization: fc.option(fc.constantFrom(...GRAPH_OPTIMIZATION_LEVELS), { nil: undefined }),
};
const modelEntry = fc.record({
  weights,
  sha256: pin,
  ...settings,
  executionProviders: fc.option(fc.array(fc.constantFrom('cpu', 'cuda', 'tensorrt'), { minLength: 1, maxLength: 3 }), { nil: undefined }),
});

const versionOf = (uri: string) => /\/(\d+)\/model\.onnx$/.exec(uri)?.[1];
/** The object without its undefined properties: what a JSON round trip keeps. */
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

describe('the function environment, written by the deploy and read by the handlers', () => {
  it('gives a model function back every setting of its registry entry', () => {
    fc.assert(
      fc.property(name, modelEntry, (model, entry) => {
        const config = modelConfigFromEnv(modelEnvironment(model, entry as unknown as ModelEntry));
        expect(config).toMatchObject({
          name: model,
          uri: entry.weights,
          sha256: entry.sha256?.toLowerCase(),
          version: versionOf(entry.weights),
          eager: entry.eager ?? false,
          session: {
            intraOpThreads: entry.intraOpThreads,
            graphOptimization: entry.graphOptimization,
            executionProviders: entry.executionProviders,
          },
        });
      }),
    );
  });

  it("gives a pipeline function back every member's weights, pin and version, and the shared settings", () => {
    const members = fc.dictionary(
      fc.constantFrom('detection', 'orientation', 'recognition', 'encoder'),
      fc.record({ weights, sha256: pin }),
      {
        minKeys: 1,
      },
    );
    fc.assert(
      fc.property(name, members, fc.record(settings), (pipeline, models, shared) => {
        const entry = { models, ...shared } as unknown as PipelineEntry;
        const config = pipelineConfigFromEnv(pipelineEnvironment(pipeline, entry));
        expect(config.name).toBe(pipeline);
        expect(Object.keys(config.members).sort()).toEqual(Object.keys(models).sort());
        for (const [role, member] of Object.entries(models)) {
          expect(config.members[role]).toEqual(
            defined({
              name: `${pipeline}-${role}`,
              uri: member.weights,
              sha256: member.sha256?.toLowerCase(),
              version: versionOf(member.weights),
            }),
          );
        }
        expect(config.eager).toBe(shared.eager ?? false);
        expect(config.session).toMatchObject({ intraOpThreads: shared.intraOpThreads, graphOptimization: shared.graphOptimization });
      }),
    );
  });
});
