import { describe, expect, it } from 'vitest';
import { errorOf } from '../../support/errorOf';
import { BadRequestError } from '../../../lib/errors';
import { recordsToTensor, tensorFromJson } from '../../../lib/processing';

describe('tensorFromJson', () => {
  it('turns a nested array into a tensor of the declared type and its shape', () => {
    const tensor = tensorFromJson([[1, 2, 3], [4, 5, 6]], { type: 'float32', shape: [null, 3] }, 'inputs');
    expect(tensor.type).toBe('float32');
    expect(tensor.dims).toEqual([2, 3]);
    expect([...(tensor.data as Float32Array)]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('makes int64 tensors from integers and a scalar from a number', () => {
    const ids = tensorFromJson([[101, 2054]], { type: 'int64' }, 'ids');
    expect(ids.data).toEqual(BigInt64Array.of(101n, 2054n));
    expect(tensorFromJson(16000, { type: 'int64', shape: [] }, 'sr').dims).toEqual([]);
  });

  it('answers 400 naming the field and index of a wrong element', () => {
    const error = errorOf(() => tensorFromJson([[1, 2], [3, 'x']], { type: 'float32' }, 'inputs'));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message).toMatch(/^field 'inputs\[1\]\[1\]': .*expected number/);
  });

  it('answers 400 for a fraction in an integer tensor and for out-of-range values', () => {
    expect(errorOf(() => tensorFromJson([1.5], { type: 'int32' }, 'ids')).message).toMatch(/field 'ids\[0\]'.*int/i);
    expect(errorOf(() => tensorFromJson([300], { type: 'uint8' }, 'pixels')).message).toMatch(/field 'pixels\[0\]'/);
  });

  it('answers 400 for ragged arrays and wrong shapes', () => {
    expect(errorOf(() => tensorFromJson([[1, 2], [3]], { type: 'float32' }, 'x')).message).toMatch(/field 'x\[1\]': has 1 elements, expected 2/);
    expect(errorOf(() => tensorFromJson([[1, 2]], { type: 'float32', shape: [null, 3] }, 'x')).message).toMatch(/shape \[1, 2\] does not match \[N, 3\]/);
  });
});

describe('recordsToTensor', () => {
  const spec = { columns: ['age', 'income'], type: 'float32' } as const;

  it('orders the columns as declared, whatever the key order of each record', () => {
    const tensor = recordsToTensor([{ income: 52000, age: 41 }, { age: 30, income: 1000 }], spec);
    expect(tensor.dims).toEqual([2, 2]);
    expect([...(tensor.data as Float32Array)]).toEqual([41, 52000, 30, 1000]);
  });

  it('answers 400 naming a missing column', () => {
    const error = errorOf(() => recordsToTensor([{ age: 1, income: 2 }, { age: 3 }], spec));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^field 'records\[1\]\.income'/);
  });

  it('answers 400 naming a mistyped column', () => {
    expect(errorOf(() => recordsToTensor([{ age: '41', income: 2 }], spec)).message).toMatch(/^field 'records\[0\]\.age': .*expected number/);
  });

  it('answers 400 naming an unknown column', () => {
    expect(errorOf(() => recordsToTensor([{ age: 1, income: 2, agee: 3 }], spec)).message).toMatch(/field 'records\[0\]'.*agee/);
  });

  it('answers 400 when the records are not a list', () => {
    expect(errorOf(() => recordsToTensor({ age: 1 }, spec, 'rows')).message).toMatch(/^field 'rows': /);
  });
});
