import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { EmfDocuments, type EmfMetric } from '../../../lib/core/observability/emfDocument';
import { PowertoolsSink } from '../../../lib/core/observability/PowertoolsSink';

/**
 * The JSON schema of CloudWatch's embedded metric format, from the specification's "Embedded
 * metric format JSON schema" section
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html),
 * transcribed: the root holds `_aws` with an integer `Timestamp` and the `CloudWatchMetrics`
 * directives; a directive a namespace, dimension sets of 1-30 names (the spec's limit), and
 * 1-100 metrics each with a name and an optional unit from the spec's list.
 */
const EMF_SCHEMA = {
  type: 'object',
  required: ['_aws'],
  properties: {
    _aws: {
      type: 'object',
      required: ['Timestamp', 'CloudWatchMetrics'],
      properties: {
        Timestamp: { type: 'integer' },
        CloudWatchMetrics: {
          type: 'array',
          items: {
            type: 'object',
            required: ['Namespace', 'Dimensions', 'Metrics'],
            properties: {
              Namespace: { type: 'string', minLength: 1, maxLength: 1024 },
              Dimensions: {
                type: 'array',
                items: { type: 'array', minItems: 1, maxItems: 30, items: { type: 'string', minLength: 1, maxLength: 250 } },
              },
              Metrics: {
                type: 'array',
                minItems: 1,
                maxItems: 100,
                items: {
                  type: 'object',
                  required: ['Name'],
                  properties: {
                    Name: { type: 'string', minLength: 1, maxLength: 1024 },
                    Unit: {
                      type: 'string',
                      enum: [
                        'Seconds',
                        'Microseconds',
                        'Milliseconds',
                        'Bytes',
                        'Kilobytes',
                        'Megabytes',
                        'Gigabytes',
                        'Terabytes',
                        'Bits',
                        'Kilobits',
                        'Megabits',
                        'Gigabits',
                        'Terabits',
                        'Percent',
                        'Count',
                        'Bytes/Second',
                        'Kilobytes/Second',
                        'Megabytes/Second',
                        'Gigabytes/Second',
                        'Terabytes/Second',
                        'Bits/Second',
                        'Kilobits/Second',
                        'Megabits/Second',
                        'Gigabits/Second',
                        'Terabits/Second',
                        'Count/Second',
                        'None',
                      ],
                    },
                    StorageResolution: { type: 'integer', enum: [1, 60] },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ strict: false }).compile(EMF_SCHEMA);

/** What the schema cannot say: every member a directive references is at the root, metrics as numbers. */
function targetMembersPresent(doc: Record<string, unknown>): string[] {
  const missing: string[] = [];
  const directives = (doc._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> })
    .CloudWatchMetrics;
  for (const d of directives) {
    for (const name of d.Dimensions.flat()) if (typeof doc[name] !== 'string') missing.push(name);
    for (const m of d.Metrics) if (typeof doc[m.Name] !== 'number') missing.push(m.Name);
  }
  return missing;
}

describe('EMF documents written by hand', () => {
  it('pass the specification schema and carry every referenced member at the root', () => {
    const emf = new EmfDocuments({
      namespace: 'onnxless',
      dimensionSets: [
        ['service', 'model'],
        ['service', 'model', 'functionVersion'],
      ],
    });
    const metrics: EmfMetric[] = [
      ['Requests', 'Count', 1],
      ['Latency', 'Milliseconds', 0.18],
      ['ResumedBytes', 'Bytes', 1024],
    ];
    const doc = JSON.parse(
      emf.document({ service: 'onnxless', model: 'tiny', functionVersion: '3' }, metrics, { requestId: 'r-1' }, 1_796_565_123_796),
    );
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(targetMembersPresent(doc)).toEqual([]);
    expect(doc).toMatchObject({ requestId: 'r-1', service: 'onnxless', model: 'tiny', functionVersion: '3', Requests: 1, Latency: 0.18 });
    expect(doc._aws.Timestamp).toBe(1_796_565_123_796);
  });

  it('are, character for character, the JSON of the document as an object: _aws, metadata, dimensions, values', () => {
    const emf = new EmfDocuments({ namespace: 'ns "q"', dimensionSets: [['service', 'model']] });
    const dims = { service: 'onnxless', model: 'm\u00e9"x' };
    const metrics: EmfMetric[] = [
      ['Requests', 'Count', 1],
      ['Latency', 'Milliseconds', 0.123],
      ['Odd', 'Count', Number.NaN],
    ];
    for (const metadata of [{ requestId: 'r "1"' }, { requestId: undefined }, {}]) {
      const text = emf.document(dims, metrics, metadata, 1_796_565_123_796);
      const object = {
        _aws: {
          Timestamp: 1_796_565_123_796,
          CloudWatchMetrics: [
            { Namespace: 'ns "q"', Dimensions: [['service', 'model']], Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })) },
          ],
        },
        ...metadata,
        ...dims,
        ...Object.fromEntries(metrics.map(([name, , value]) => [name, value])),
      };
      expect(text).toBe(JSON.stringify(object));
    }
  });

  it('reuse the directive for the same metric names and build a new one when they change', () => {
    const emf = new EmfDocuments({ namespace: 'n', dimensionSets: [['service', 'model']] });
    const dims = { service: 's', model: 'm' };
    const a = JSON.parse(emf.document(dims, [['Requests', 'Count', 1]]));
    const b = JSON.parse(emf.document(dims, [['Requests', 'Count', 2]]));
    const c = JSON.parse(
      emf.document(dims, [
        ['Requests', 'Count', 1],
        ['Errors4xx', 'Count', 1],
      ]),
    );
    expect(a._aws.CloudWatchMetrics).toEqual(b._aws.CloudWatchMetrics);
    expect(b.Requests).toBe(2);
    expect(c._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name)).toEqual(['Requests', 'Errors4xx']);
  });

  it('are what the sink writes for requests (every status class) and loads (every outcome)', () => {
    const lines: string[] = [];
    const sink = new PowertoolsSink({ write: (l) => lines.push(l), functionVersion: '7' });
    const durations = { load: 5, preprocess: 1, inference: 2, postprocess: 1, total: 9 };
    for (const status of [200, 400, 503, 504]) {
      sink.onRequest({
        model: 'tiny',
        requestId: `r-${status}`,
        route: '/v2/models/{model}/infer',
        method: 'POST',
        status,
        coldStart: status === 200,
        durations,
        requestBytes: 10,
        responseBytes: 20,
        ...(status === 504 ? { deadline: 'inference' as const } : {}),
      });
    }
    for (const outcome of ['loaded', 'failed', 'aborted'] as const) {
      sink.onLoad({ model: 'tiny', outcome, durationMs: 12, resumedBytes: 3, refetchedBytes: 0 });
    }
    const docs = lines.map((l) => JSON.parse(l)).filter((d) => d._aws !== undefined);
    expect(docs).toHaveLength(7);
    for (const doc of docs) {
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
      expect(targetMembersPresent(doc)).toEqual([]);
    }
    expect(docs.map((d) => [d.Errors4xx, d.Errors5xx])).toEqual([
      [0, 0],
      [1, 0],
      [0, 1],
      [0, 1],
      [undefined, undefined],
      [undefined, undefined],
      [undefined, undefined],
    ]);
    expect(docs[3].DeadlineExceeded).toBe(1);
    expect(docs.slice(4).map((d) => d.ModelLoadFailures)).toEqual([0, 1, 0]);
  });
});
