import { describe, expect, it } from 'vitest';
import { parseCsvDataset } from '../../../lib/tools/train/csv';
import { CsvFormatError } from '../../../lib/tools/train/errors';

const file = 'houses.csv';

describe('parseCsvDataset', () => {
  it('takes the last <output width> columns as targets by default, the rest as features', () => {
    const csv = 'rooms,area,age,price\n3,120,10,250\n2, 80 ,35,1.5e2\r\n\n4,150.5,-2,.5\n';
    const data = parseCsvDataset(csv, file, { defaultTargetCount: 1 });
    expect(data.count).toBe(3);
    expect(data.featureNames).toEqual(['rooms', 'area', 'age']);
    expect(data.targetNames).toEqual(['price']);
    expect([...data.features]).toEqual([3, 120, 10, 2, 80, 35, 4, 150.5, -2]);
    expect([...data.targets]).toEqual([250, 150, 0.5]);
  });

  it('takes named target columns from anywhere in the row', () => {
    const data = parseCsvDataset('"y1",x,y2\n1,2,3\n4,5,6\n', file, { targetColumns: ['y2', 'y1'], defaultTargetCount: 1 });
    expect(data.featureNames).toEqual(['x']);
    expect(data.targetNames).toEqual(['y2', 'y1']);
    expect([...data.targets]).toEqual([3, 1, 6, 4]);
  });

  it('names the line and column of a value that is not a number', () => {
    const act = () => parseCsvDataset('x1,x2,y\n1,2,3\n4,abc,6\n', file, { defaultTargetCount: 1 });
    expect(act).toThrow(CsvFormatError);
    expect(act).toThrow("houses.csv (line 3, column 'x2'): 'abc' is not a number");
  });

  it('rejects an empty field and hexadecimal, which Number() would accept', () => {
    expect(() => parseCsvDataset('x,y\n,1\n', file, { defaultTargetCount: 1 })).toThrow("(line 2, column 'x'): '' is not a number");
    expect(() => parseCsvDataset('x,y\n0x1f,1\n', file, { defaultTargetCount: 1 })).toThrow("'0x1f' is not a number");
  });

  it('names the line with the wrong number of fields', () => {
    expect(() => parseCsvDataset('x,y\n1,2\n3\n', file, { defaultTargetCount: 1 })).toThrow(
      'houses.csv (line 3): expected 2 fields as in the header, found 1',
    );
  });

  it('lists the columns when a target column does not exist', () => {
    expect(() => parseCsvDataset('x,y\n1,2\n', file, { targetColumns: ['price'], defaultTargetCount: 1 })).toThrow(
      "no target column 'price'; columns: x, y",
    );
  });

  it('fails on an empty file, a header without rows, and too few columns for the outputs', () => {
    expect(() => parseCsvDataset('\n\n', file, { defaultTargetCount: 1 })).toThrow(/empty/);
    expect(() => parseCsvDataset('x,y\n', file, { defaultTargetCount: 1 })).toThrow(/no data rows/);
    expect(() => parseCsvDataset('x,y\n1,2\n', file, { defaultTargetCount: 2 })).toThrow(/only 2 columns/);
  });
});
