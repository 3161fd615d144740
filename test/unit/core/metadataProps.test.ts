import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readMetadataProps } from '../../../lib/core/onnx/modelMetadataProps';
import { onnx } from '../../../lib/tools/train/onnxProto';
import { tempDir } from '../../support/testHandler';

/** A model whose graph is `weights` bytes of initializer, with the given metadata_props. */
function model(props: Array<[string, string]>, weights: number, docString: string): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'test',
      docString,
      opsetImport: [{ domain: '', version: 17 }],
      graph: { name: 'g', initializer: [{ name: 'w', dataType: 2, dims: [weights], rawData: new Uint8Array(weights).fill(7) }] },
      metadataProps: props.map(([key, value]) => ({ key, value })),
    }),
  ).finish();
}

describe('readMetadataProps: the metadata_props of an ONNX file, read without decoding the graph', () => {
  const dir = tempDir('onnxless-props-');

  it('reads what onnx-proto wrote, whatever the keys, values and the size of the graph before them', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ maxLength: 300 })), {
          selector: ([k]) => k,
          maxLength: 12,
        }),
        fc.integer({ min: 0, max: 300_000 }),
        fc.string({ maxLength: 200 }),
        async (props, weights, doc) => {
          const path = join(dir, `m${n++}.onnx`);
          writeFileSync(path, model(props, weights, doc));
          expect(await readMetadataProps(path)).toEqual(Object.fromEntries(props));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('answers nothing for a file that is not a model, rather than failing', async () => {
    const path = join(dir, 'junk.onnx');
    writeFileSync(path, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    expect(await readMetadataProps(path)).toEqual({});
  });
});
