import { Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ModelUnavailableError, OnnxlessError, redactInternals, toPublicError } from '../../../lib/core/errors';
import { formatCatalog, parseCatalog } from '../../../lib/core/http/modelCatalog';
import { allRoutes, matchRoute, routePattern, versionOfWeights } from '../../../lib/core/http/routeTable';
import { splitBinaryBody } from '../../../lib/core/protocol/binaryTensor';
import { classify, readClassCount } from '../../../lib/core/protocol/classification';
import { readInferBody } from '../../../lib/core/protocol/inferBody';
import { floatArrayJson } from '../../../lib/core/protocol/jsonNumbers';
import { runFailure } from '../../../lib/core/inference/runFailure';
import { errorOf } from '../../support/errorOf';

const body = (value: unknown) => Buffer.from(JSON.stringify(value));
const REQUEST = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }] };

describe('content types of an infer body', () => {
  it.each(['', 'application/json', 'application/octet-stream', 'application/vnd.oip+json'])(
    'reads %j without a header length as JSON',
    (type) => {
      expect(readInferBody(body(REQUEST), type, undefined).request).toEqual(REQUEST);
    },
  );

  it('reads Triton binary framing by its header length, whatever the content type', () => {
    const head = body({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], parameters: { binary_data_size: 4 } }] });
    const { binary } = readInferBody(Buffer.concat([head, Buffer.alloc(4)]), '', String(head.length));
    expect(binary?.length).toBe(4);
  });

  it('answers 415 for another media type, listing the accepted ones', () => {
    expect(errorOf(() => readInferBody(body(REQUEST), 'text/plain', undefined))).toMatchObject({
      status: 415,
      message: expect.stringContaining('application/octet-stream'),
    });
  });

  it.each(['0x10', '1e2', '+5', '-0', '5.0', ' ', '1'.repeat(20)])('refuses the header length %j: decimal digits only', (length) => {
    expect(errorOf(() => splitBinaryBody(Buffer.alloc(200), length))).toMatchObject({
      status: 400,
      message: expect.stringContaining('decimal digits'),
    });
  });

  it('takes a plain decimal header length', () => {
    expect(splitBinaryBody(Buffer.from('{}abc'), '2')).toEqual({ header: '{}', binary: Buffer.from('abc') });
  });
});

describe('floating-point outputs as JSON text every client reads', () => {
  it('writes every float as JSON.stringify writes the same numbers, small tensors and large', () => {
    for (const n of [0, 1, 256, 300_000]) {
      const values = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 10 ** ((i % 9) - 4));
      expect(floatArrayJson(values)).toBe(JSON.stringify(Array.from(values)));
    }
  });

  it('writes -0 as -0.0, and NaN and the infinities as null (valid JSON, as JSON.stringify writes them)', () => {
    const text = floatArrayJson(Float32Array.from([1.5, -0, Number.NaN, Infinity, -Infinity, 0]));
    expect(text).toBe('[1.5,-0.0,null,null,null,0]');
    expect(JSON.parse(text)).toEqual([1.5, -0, null, null, null, 0]);
  });

  it('writes ordinary numbers as JSON.stringify does', () => {
    const values = Float64Array.from([0.1, 1e-30, 3.4e38, -2.25]);
    expect(floatArrayJson(values)).toBe(JSON.stringify(Array.from(values)));
  });
});

describe('classification extension (class_count)', () => {
  const scores = new Tensor('float32', Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.5, 0]), [2, 3]);

  it('answers the top classes of each batch row as "score:index", highest first, equal scores by index', () => {
    const out = classify('prob', scores, 2);
    expect(out.dims).toEqual([2, 2]);
    expect(out.data).toEqual(['0.700000:1', '0.200000:2', '0.500000:0', '0.500000:1']);
  });

  it('adds the label when the output has a labels file, and treats rank 1 as one row', () => {
    const out = classify('prob', new Tensor('float32', Float32Array.from([0.1, 0.9]), [2]), 5, ['cat', 'dog']);
    expect(out.dims).toEqual([2]);
    expect(out.data).toEqual(['0.900000:1:dog', '0.100000:0:cat']);
  });

  it.each([0, -1, 1.5, '2', true])('refuses class_count %j naming the parameter', (value) => {
    expect(errorOf(() => readClassCount('prob', value))).toMatchObject({
      status: 400,
      message: "output 'prob': parameter class_count must be a whole number of at least 1",
    });
  });

  it('refuses class_count on a BYTES output', () => {
    expect(errorOf(() => classify('text', new Tensor('string', ['a'], [1]), 1))).toMatchObject({ status: 400 });
  });
});

describe('onnxruntime run failures', () => {
  it("is a 400 without node names or source paths when onnxruntime refuses the caller's input", () => {
    const err = runFailure(
      'm',
      new Error(
        "Non-zero status code returned while running Add node. Name:'/layer1/Add' Status Message: /onnxruntime_src/onnxruntime/core/framework/op_kernel.cc:83 void onnxruntime::BroadcastIterator::Init(ptrdiff_t, ptrdiff_t) axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 2 by 3",
      ),
    );
    expect(err.status).toBe(400);
    expect(err.message).toBe(
      "model 'm' cannot run on these inputs: axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 2 by 3",
    );
  });

  it('is a 400 for a dimension onnxruntime-node cannot carry (a zero-element shape with 2^32 in it)', () => {
    expect(runFailure('m', new Error('Tensor.dims[0] is invalid: 4.29497e+09'))).toMatchObject({
      status: 400,
      message: "model 'm' cannot run on these inputs: Tensor.dims[0] is invalid: 4.29497e+09",
    });
  });

  it.each([
    'std::bad_alloc',
    "Non-zero status code returned while running MatMul node. Name:'/mm' Status Message: Failed to allocate memory for requested buffer of size 4294967296",
    '[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : something inside broke',
    'an error of a kind nobody listed',
  ])('is a 500 that keeps the details for the log: %s', (message) => {
    const cause = new Error(message);
    const err = runFailure('m', cause);
    expect(err.status).toBe(500);
    expect(toPublicError(err).message).toBe("onnxruntime failed while running model 'm'; the cause is in the log");
    expect(err.cause).toBe(cause);
  });

  it('keeps a status a runner already decided', () => {
    const busy = new OnnxlessError(429, 'queue full');
    expect(runFailure('m', busy)).toBe(busy);
  });
});

describe('what a 5xx tells the caller', () => {
  it('names what failed, not the bucket, key, hash or path', () => {
    const message = redactInternals(
      "model 'm' failed verification: s3://bucket-x/m/1/model.onnx has sha256 " +
        'ab'.repeat(32) +
        ' (cached at /tmp/onnxless/m/model.onnx)',
    );
    expect(message).toBe("model 'm' failed verification: (see the log) has sha256 (see the log) (cached at model.onnx)");
  });

  it('keeps the name of a file it is about, not where it sits', () => {
    expect(
      redactInternals('/opt/nodejs/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so is missing'),
    ).toBe('libonnxruntime_providers_cuda.so is missing');
  });

  it('hides the graph node onnxruntime names when a model fails to load', () => {
    const message = redactInternals(
      `model 'm': onnxruntime could not load the weights: This is an invalid model. In Node, ("/enc/Conv_3", Conv, "", -1) : ("x": tensor(float),) -> ("y") , Error No Op registered`,
    );
    expect(message).not.toContain('/enc/Conv_3');
    expect(message).toContain('This is an invalid model. In (see the log)');
  });

  it("leaves 4xx messages whole: they describe the caller's own request", () => {
    expect(toPublicError(new OnnxlessError(400, "input 'x' at /a/b/c")).message).toBe("input 'x' at /a/b/c");
    expect(toPublicError(new ModelUnavailableError('m', "model 'm': bucket 'b' key 'k' denied")).message).toBe(
      "model 'm': (see the log) (see the log) denied",
    );
  });
});

describe('the route table', () => {
  it('lists version routes only for listed versions, the domain route only where there is one', () => {
    const routes = allRoutes({ a: { versions: ['3'], predict: false }, b: { versions: [], predict: true } }).map(
      (r) => `${r.method} ${r.path}`,
    );
    expect(routes).toEqual([
      'GET /v2',
      'GET /v2/health/live',
      'GET /v2/health/ready',
      'GET /openapi.json',
      'GET /v2/models/a',
      'GET /v2/models/a/versions/3',
      'GET /v2/models/a/ready',
      'GET /v2/models/a/versions/3/ready',
      'POST /v2/models/a/infer',
      'POST /v2/models/a/versions/3/infer',
      'GET /v2/models/b',
      'GET /v2/models/b/ready',
      'POST /v2/models/b/infer',
      'POST /models/b/predict',
    ]);
  });

  it('matches a template against the whole path, one non-empty segment per parameter', () => {
    const pattern = routePattern('/v2/models/{model}/versions/{version}/infer');
    expect(pattern.exec('/v2/models/m/versions/2/infer')?.slice(1)).toEqual(['m', '2']);
    expect(pattern.test('/prod/v2/models/m/versions/2/infer')).toBe(false);
    expect(pattern.test('/v2/models/m/x/versions/2/infer/')).toBe(false);
    expect(pattern.test('/v2/models//versions/2/infer')).toBe(false);
  });

  it("names a path's route as the table does, its parameters decoded, a malformed escape kept as sent", () => {
    expect(matchRoute('/v2/models/m%20x/versions/2/infer')).toEqual({
      name: '/v2/models/{model}/infer',
      template: '/v2/models/{model}/versions/{version}/infer',
      params: { model: 'm x', version: '2' },
    });
    expect(matchRoute('/v2/models/%E0%A4%A/ready')?.params).toEqual({ model: '%E0%A4%A' });
    expect(matchRoute('/v2/health/live')?.name).toBe('/v2/health/live');
    expect(matchRoute('/v2/nothing/here')).toBeUndefined();
    expect(matchRoute('/web/openapi.json')?.params).toEqual({ asset: 'openapi.json' });
  });

  it('gives each path its own match when paths alternate, the match frozen so no caller changes the next one', () => {
    const paths = ['/v2/models/a/infer', '/v2/models/b/versions/3/infer', '/v2/nothing/here', '/v2/models/a/infer'];
    const matches = [...paths, ...paths].map((path) => matchRoute(path));
    expect(matches.map((m) => m?.params)).toEqual([
      { model: 'a' },
      { model: 'b', version: '3' },
      undefined,
      { model: 'a' },
      { model: 'a' },
      { model: 'b', version: '3' },
      undefined,
      { model: 'a' },
    ]);
    const match = matchRoute('/v2/models/a/infer');
    expect(Object.isFrozen(match) && Object.isFrozen(match?.params)).toBe(true);
    expect(() => ((match?.params as Record<string, string>).model = 'other')).toThrow(TypeError);
    expect(matchRoute('/v2/models/a/infer')?.params.model).toBe('a');
  });

  it('reads the version from the weights key that onnxless push writes', () => {
    expect(versionOfWeights('s3://b/tiny/1/model.onnx')).toBe('1');
    expect(versionOfWeights('s3://b/tiny/model.onnx')).toBeUndefined();
  });

  it('carries the catalog through one environment variable', () => {
    const catalog = {
      tiny: { versions: ['1'], predict: false },
      ocr: { versions: ['2'], predict: true },
      bare: { versions: [], predict: false },
    };
    expect(formatCatalog(catalog)).toBe('tiny@1,ocr@2+predict,bare');
    expect(parseCatalog(formatCatalog(catalog))).toEqual(catalog);
  });
});
