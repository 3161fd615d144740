import { describe, expect, it } from 'vitest';
import { RequestTiming } from '../../../lib/core/observability/RequestTiming';
import { startTracing, traced, tracingWanted } from '../../../lib/core/observability/tracing';

describe('tracing outside Lambda', () => {
  it('is wanted only inside Lambda, and not when POWERTOOLS_TRACE_ENABLED=false, SAM local or the Amplify mock say otherwise', () => {
    const lambda = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' };
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted(lambda)).toBe(true);
    expect(tracingWanted({ ...lambda, POWERTOOLS_TRACE_ENABLED: 'FALSE' })).toBe(false);
    expect(tracingWanted({ ...lambda, AWS_SAM_LOCAL: 'true' })).toBe(false);
    expect(tracingWanted({ AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' })).toBe(false);
  });

  it('sets nothing up where it is not wanted, and spans are plain calls that keep results and errors', async () => {
    expect(await startTracing({})).toBeUndefined();
    expect(
      await traced(
        'inference',
        async () => 42,
        (n) => ({ n }),
      ),
    ).toBe(42);
    await expect(traced('inference', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const timing = new RequestTiming();
    expect(await timing.time('load', async () => 'ok')).toBe('ok');
    expect(timing.timeSync('preprocess', () => 7)).toBe(7);
    expect(Object.keys(timing.durations()).sort()).toEqual(['load', 'preprocess', 'total']);
  });
});
