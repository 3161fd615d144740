import { describe, expect, it } from 'vitest';
import { batchKey, batchRows, type TensorMap } from '../../../lib/core/batching/BatchTensor';
import { concatFeeds, splitOutputs, UnsplittableOutputError } from '../../../lib/core/batching/concatSplit';

describe('concatFeeds and splitOutputs', () => {
  it('stacks inputs along the first dimension and splits outputs back by rows, for every element kind', () => {
    // prepare
    const a: TensorMap = {
      f: { type: 'float32', dims: [1, 2], data: Float32Array.from([1.5, -2]) },
      i: { type: 'int64', dims: [1, 1], data: BigInt64Array.from([2n ** 62n]) },
      s: { type: 'string', dims: [1], data: ['a'] },
    };
    const b: TensorMap = {
      f: { type: 'float32', dims: [2, 2], data: Float32Array.from([3, 4, 5, 6]) },
      i: { type: 'int64', dims: [2, 1], data: BigInt64Array.from([-1n, 7n]) },
      s: { type: 'string', dims: [2], data: ['b', 'c'] },
    };

    // act
    const joined = concatFeeds([a, b]);
    const [backA, backB] = splitOutputs(joined, [1, 2]);

    // assess
    expect(joined.f).toEqual({ type: 'float32', dims: [3, 2], data: Float32Array.from([1.5, -2, 3, 4, 5, 6]) });
    expect(joined.i?.data).toEqual(BigInt64Array.from([2n ** 62n, -1n, 7n]));
    expect(joined.s?.data).toEqual(['a', 'b', 'c']);
    expect(backA).toEqual(a);
    expect(backB).toEqual(b);
  });

  it('refuses to split an output whose first dimension is not the batch', () => {
    const outputs: TensorMap = { total: { type: 'float32', dims: [1], data: Float32Array.from([3]) } };
    expect(() => splitOutputs(outputs, [1, 2])).toThrow(UnsplittableOutputError);
  });

  it('keys requests by input names, types and trailing dims, not by rows', () => {
    const one = { x: { type: 'float32', dims: [1, 4], data: new Float32Array(4) } };
    const three = { x: { type: 'float32', dims: [3, 4], data: new Float32Array(12) } };
    const wider = { x: { type: 'float32', dims: [1, 5], data: new Float32Array(5) } };
    expect(batchKey(one)).toBe(batchKey(three));
    expect(batchKey(one)).not.toBe(batchKey(wider));
    expect(batchRows(three)).toBe(3);
  });

  it('finds no batch dimension in scalars or inputs that disagree on rows', () => {
    expect(batchRows({ s: { type: 'float32', dims: [], data: new Float32Array(1) } })).toBeUndefined();
    expect(
      batchRows({
        a: { type: 'float32', dims: [2, 1], data: new Float32Array(2) },
        b: { type: 'float32', dims: [3, 1], data: new Float32Array(3) },
      }),
    ).toBeUndefined();
  });
});
