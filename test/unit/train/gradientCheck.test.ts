import { describe, expect, it } from 'vitest';
import { DenseNetwork, type FloatArray } from '../../../lib/tools/train/DenseNetwork';
import { meanSquaredError, meanSquaredErrorGradient } from '../../../lib/tools/train/loss';
import { Rng } from '../../../lib/tools/train/Rng';

/**
 * Gradient check. The analytic gradients come from the float32 network, exactly as training
 * uses them. The finite differences are taken on a float64 copy of the same network (same
 * forward code, Float64Array storage): with float32 forwards, a central difference with a step
 * small enough to be accurate (h = 1e-6) would be mostly rounding noise (float32 epsilon is
 * 1.2e-7 of a loss around 1, divided by 2h), so the check would mean nothing.
 *   numeric_k = (L(p + h e_k) - L(p - h e_k)) / 2h       in float64
 *   relative error = |analytic - numeric| / max(|analytic|, |numeric|)   (0 when both are 0)
 */
const widths = [3, 5, 4, 2];
const batch = 4;
const h = 1e-6;

function setup(relu: boolean) {
  const rng = new Rng(7);
  const network = DenseNetwork.create(widths, { relu, rng });
  const input = Float32Array.from({ length: batch * widths[0]! }, () => rng.normal());
  const target = Float32Array.from({ length: batch * widths.at(-1)! }, () => rng.normal());
  return { network, input, target };
}

function analyticGradients(network: DenseNetwork, input: Float32Array, target: Float32Array): FloatArray[] {
  const trace = network.trace(input, batch);
  return network.backward(trace, meanSquaredErrorGradient(trace.output, target, network.precision));
}

function numericGradients(network: DenseNetwork, input: Float32Array, target: Float32Array): Float64Array[] {
  const copy = network.clone('float64');
  const loss = () => meanSquaredError(copy.forward(input, batch), target);
  return copy.parameters().map((parameter) => {
    const gradient = new Float64Array(parameter.length);
    for (let i = 0; i < parameter.length; i++) {
      const saved = parameter[i]!;
      parameter[i] = saved + h;
      const up = loss();
      parameter[i] = saved - h;
      const down = loss();
      parameter[i] = saved;
      gradient[i] = (up - down) / (2 * h);
    }
    return gradient;
  });
}

function maxRelativeError(analytic: FloatArray[], numeric: Float64Array[]): number {
  let worst = 0;
  analytic.forEach((a, k) => {
    const n = numeric[k]!;
    expect(a.length).toBe(n.length);
    for (let i = 0; i < a.length; i++) {
      const scale = Math.max(Math.abs(a[i]!), Math.abs(n[i]!));
      if (scale > 0) worst = Math.max(worst, Math.abs(a[i]! - n[i]!) / scale);
    }
  });
  return worst;
}

describe('DenseNetwork.backward', () => {
  it.each([
    { relu: false, name: 'linear layers' },
    { relu: true, name: 'linear layers with ReLU' },
  ])('matches central finite differences within 1e-3 relative error ($name)', ({ relu }) => {
    // prepare
    const { network, input, target } = setup(relu);
    // A pre-activation within h of 0 would put a ReLU kink inside the difference: make sure none is.
    const nearestKink = Math.min(
      ...network
        .clone('float64')
        .trace(input, batch)
        .preActivations.slice(0, -1)
        .flatMap((z) => [...z].map(Math.abs)),
    );
    expect(nearestKink).toBeGreaterThan(1e-3);

    // act
    const analytic = analyticGradients(network, input, target);
    const numeric = numericGradients(network, input, target);

    // assess
    expect(analytic.map((g) => g.length)).toEqual(network.parameters().map((p) => p.length));
    expect(maxRelativeError(analytic, numeric)).toBeLessThan(1e-3);
    // and in float64 the analytic gradient is exact up to the O(h^2) of the difference itself
    expect(maxRelativeError(analyticGradients(network.clone('float64'), input, target), numeric)).toBeLessThan(1e-6);
  });

  it('checks at least one non-zero gradient per parameter tensor (the comparison is not vacuous)', () => {
    const { network, input, target } = setup(true);
    for (const gradient of analyticGradients(network, input, target)) {
      expect(Math.max(...[...gradient].map(Math.abs))).toBeGreaterThan(1e-3);
    }
  });
});
