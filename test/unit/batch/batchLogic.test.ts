import { describe, expect, it } from 'vitest';
import type { BatchEvent } from '../../../lib/core/batch/BatchEvent';
import { itemRequest, mediaTypeOf } from '../../../lib/core/batch/itemRequest';
import { outputKeyOf, parseS3Prefix } from '../../../lib/core/batch/S3Prefix';
import { executionInput } from '../../../lib/tools/batch/awsBatch';
import { summaryOfChildren } from '../../../lib/tools/batch/mapRunResults';
import { runLocalBatch } from '../../../lib/tools/batch/runLocalBatch';

const input = parseS3Prefix('s3://data/in/', 'input');
const output = parseS3Prefix('s3://data/out/', 'output');
const items = Array.from({ length: 45 }, (_, i) => ({ Key: `in/${i}.png`, ETag: `"e${i}"` }));

describe('the local executor', () => {
  it("cuts the listing into batches of itemsPerInvocation in order, each the Map's event, never more than concurrency at once", async () => {
    const events: BatchEvent[] = [];
    let running = 0;
    let most = 0;
    const summary = await runLocalBatch({
      input,
      output,
      items,
      concurrency: 3,
      itemsPerInvocation: 10,
      invoke: async (event) => {
        events.push(event);
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return { succeeded: event.Items.length, failed: 0, skipped: 0, failures: [] };
      },
    });
    expect(events.map((e) => e.Items.length)).toEqual([10, 10, 10, 10, 5]);
    expect(events.flatMap((e) => e.Items.map((i) => i.Key))).toEqual(items.map((i) => i.Key));
    expect(events[0]!.BatchInput).toEqual({ input: 's3://data/in/', output: 's3://data/out/' });
    expect(most).toBe(3);
    expect(summary).toEqual({ succeeded: 45, failed: 0, skipped: 0, failures: [] });
  });

  it('fails each item of an invocation that failed as a whole, with its error, and keeps the others', async () => {
    const progress: number[] = [];
    const summary = await runLocalBatch({
      input,
      output,
      items: items.slice(0, 4),
      concurrency: 1,
      itemsPerInvocation: 2,
      invoke: async (event) => {
        if (event.Items[0]!.Key === 'in/2.png') throw new Error('Task timed out after 29.00 seconds');
        return { succeeded: 1, failed: 0, skipped: 1, failures: [] };
      },
      onProgress: (c) => progress.push(c.succeeded + c.failed + c.skipped),
    });
    expect(summary).toEqual({
      succeeded: 1,
      failed: 2,
      skipped: 1,
      failures: [
        { key: 'in/2.png', error: 'the invocation failed: Task timed out after 29.00 seconds' },
        { key: 'in/3.png', error: 'the invocation failed: Task timed out after 29.00 seconds' },
      ],
    });
    expect(progress).toEqual([0, 2, 4]);
  });
});

describe("the AWS run's summary, from the ResultWriter's child executions", () => {
  it("adds the succeeded children's summaries and fails each item of a failed child with its error and cause", () => {
    const summary = summaryOfChildren([
      {
        Status: 'SUCCEEDED',
        Output: JSON.stringify({ succeeded: 19, failed: 1, skipped: 0, failures: [{ key: 'in/a.png', error: '400: x' }] }),
      },
      { Status: 'SUCCEEDED', Output: JSON.stringify({ succeeded: 0, failed: 0, skipped: 20, failures: [] }) },
      {
        Status: 'FAILED',
        Error: 'Lambda.Unknown',
        Cause: 'timed out',
        Input: JSON.stringify({ Items: [{ Key: 'in/b.png' }, { Key: 'in/c.png' }] }),
      },
    ]);
    expect(summary).toEqual({
      succeeded: 19,
      failed: 3,
      skipped: 20,
      failures: [
        { key: 'in/a.png', error: '400: x' },
        { key: 'in/b.png', error: 'the invocation failed: Lambda.Unknown: timed out' },
        { key: 'in/c.png', error: 'the invocation failed: Lambda.Unknown: timed out' },
      ],
    });
  });

  it("gives the execution the prefixes the state machine's ItemReader and ItemBatcher read", () => {
    expect(JSON.parse(executionInput(input, output))).toEqual({
      input: 's3://data/in/',
      output: 's3://data/out/',
      inputBucket: 'data',
      inputPrefix: 'in/',
    });
  });
});

describe('an item as a request', () => {
  it('takes the type from the extension first, else from what S3 stored, and none from an untyped object', () => {
    expect(mediaTypeOf('in/a.PNG', 'binary/octet-stream')).toBe('image/png');
    expect(mediaTypeOf('in/a.jpeg', undefined)).toBe('image/jpeg');
    expect(mediaTypeOf('in/clip', 'audio/wav; codecs=1')).toBe('audio/wav');
    expect(mediaTypeOf('in/blob', 'binary/octet-stream')).toBeUndefined();
    expect(mediaTypeOf('in/blob', undefined)).toBeUndefined();
  });

  it('sends an OIP body to the infer route and anything else to the domain route', () => {
    const oip = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }] }));
    expect(itemRequest('tiny', oip, 'application/json').path).toBe('/v2/models/tiny/infer');
    expect(itemRequest('text-embedding', Buffer.from('{"texts":["a"]}'), 'application/json').path).toBe('/models/text-embedding/predict');
    expect(itemRequest('vad', Buffer.from('RIFF'), 'audio/wav')).toMatchObject({
      method: 'POST',
      path: '/models/vad/predict',
      headers: { 'content-type': 'audio/wav' },
    });
  });

  it('writes the answer at the output prefix plus the key relative to the input prefix', () => {
    expect(outputKeyOf(input, output, 'in/2026/scan 1.png')).toBe('out/2026/scan 1.png.json');
    expect(() => outputKeyOf(input, output, 'elsewhere/x.png')).toThrow(/not under the input prefix s3:\/\/data\/in\//);
  });
});
