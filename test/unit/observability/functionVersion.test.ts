import { describe, expect, it } from 'vitest';
import { PowertoolsSink } from '../../../lib/core/observability/PowertoolsSink';
import { sinkFromEnv } from '../../../lib/core/observability/sinkFromEnv';

const record = {
  model: 'tiny',
  route: '/v2/models/{model}/infer',
  method: 'POST',
  status: 200,
  coldStart: false,
  durations: { total: 3 },
  requestBytes: 1,
  responseBytes: 1,
} as const;

function dimensionSets(sink: { onRequest(r: typeof record): void }, lines: string[]): string[][] {
  sink.onRequest(record);
  const emf = lines.map((l) => JSON.parse(l) as { _aws?: { CloudWatchMetrics: Array<{ Dimensions: string[][] }> } }).find((l) => l._aws);
  return emf!._aws!.CloudWatchMetrics[0]!.Dimensions;
}

describe('the functionVersion dimension set the rollout alarms watch', () => {
  it('is added for a published version Lambda runs, read from AWS_LAMBDA_FUNCTION_VERSION', () => {
    const lines: string[] = [];
    const sink = sinkFromEnv({ write: (l) => lines.push(l) }, { AWS_LAMBDA_FUNCTION_VERSION: '12' });
    expect(dimensionSets(sink, lines)).toEqual([
      ['service', 'model'],
      ['service', 'model', 'functionVersion'],
    ]);
  });

  it('is left out for $LATEST and outside Lambda, keeping the one set dashboards use', () => {
    for (const functionVersion of ['$LATEST', undefined]) {
      const lines: string[] = [];
      expect(dimensionSets(new PowertoolsSink({ write: (l) => lines.push(l), functionVersion }), lines)).toEqual([['service', 'model']]);
    }
  });
});
