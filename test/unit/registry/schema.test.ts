import { describe, expect, it } from 'vitest';
import { modelObjectsResource, parseRegistry, parseS3Uri } from '../../../lib/core/registry/index';
import { registryProblems as problems } from '../../support/registryProblems';

const bucket = { name: 'models-bucket' };
const weights = 's3://models-bucket/tiny/1/model.onnx';

describe('parseRegistry', () => {
  it('applies the defaults: the stack creates the bucket, routes use IAM', () => {
    const registry = parseRegistry({ bucket, models: { tiny: { weights } } });
    expect(registry).toEqual({
      bucket: { name: 'models-bucket', create: true },
      auth: { type: 'iam' },
      api: { throttle: { rateLimit: 50, burstLimit: 100 }, accessLogs: { retentionDays: 30 } },
      models: { tiny: { weights } },
    });
  });

  it('accepts every field of a model entry and normalises the pin to lowercase', () => {
    const entry = {
      weights,
      sha256: 'AB'.repeat(32),
      size: 578966,
      handler: 'handlers/text-orientation.handler',
      memorySize: 1024,
      timeout: 20,
      architecture: 'arm64',
      eager: true,
      intraOpThreads: 2,
      graphOptimization: 'extended',
      executionProviders: ['cpu'],
      layers: ['sharp'],
    } as const;
    expect(parseRegistry({ bucket, models: { 'text-orientation': entry } }).models['text-orientation']).toEqual({
      ...entry,
      sha256: 'ab'.repeat(32),
    });
  });

  it('takes `auth: none` only when written, as a word or an object', () => {
    expect(parseRegistry({ bucket, auth: 'none' }).auth).toEqual({ type: 'none' });
    expect(parseRegistry({ bucket, auth: { type: 'none' } }).auth).toEqual({ type: 'none' });
    expect(parseRegistry({ bucket, auth: 'iam' }).auth).toEqual({ type: 'iam' });
  });

  it('takes a JWT authorizer with an https issuer and one or more audiences', () => {
    expect(parseRegistry({ bucket, auth: { type: 'jwt', issuer: 'https://id.example.com/', audience: 'api' } }).auth).toEqual({
      type: 'jwt',
      issuer: 'https://id.example.com/',
      audience: ['api'],
    });
    expect(problems({ bucket, auth: { type: 'jwt', issuer: 'http://id.example.com/', audience: ['api'] } })).toEqual([
      'auth.issuer: expected the https URL of the token issuer',
    ]);
    expect(problems({ bucket, auth: 'jwt' })).toEqual(['auth.issuer: required', 'auth.audience: required']);
  });

  it('refuses an unknown auth type instead of opening the routes', () => {
    expect(problems({ bucket, auth: 'open' })).toEqual(['auth.type: expected type iam, jwt, none']);
    expect(problems({ bucket, auth: null })).toHaveLength(1);
  });

  it('names the model and the field of each problem', () => {
    expect(
      problems({
        bucket,
        models: {
          foo: { weights: 'http://example.com/foo.onnx' },
          bar: { weights, memorySize: 64, architecture: 'arm', weight: 'x' },
          baz: { weights, sha256: 'abc', size: -1, graphOptimization: 'max', layers: ['opencv'] },
        },
      }),
    ).toEqual([
      "model 'foo': weights: expected s3://bucket/key, got 'http://example.com/foo.onnx'",
      "model 'bar': memorySize: must be at least 128 MB",
      'model \'bar\': architecture: expected one of x86_64, arm64, got "arm"',
      "model 'bar': unknown field 'weight'",
      "model 'baz': sha256: expected 64 hexadecimal characters",
      "model 'baz': size: must be at least 1 bytes",
      'model \'baz\': graphOptimization: expected one of disabled, basic, extended, all, got "max"',
      'model \'baz\': layers.0: expected one of sharp, got "opencv"',
    ]);
  });

  it('accepts a model directory: a prefix ending in /', () => {
    expect(parseRegistry({ bucket, models: { a: { weights: 's3://models-bucket/a/1/', sha256: 'a'.repeat(64) } } }).models.a?.weights).toBe(
      's3://models-bucket/a/1/',
    );
  });

  it('reports a missing weights field as required', () => {
    expect(problems({ bucket, models: { tiny: { size: 1 } } })).toEqual(["model 'tiny': weights: required"]);
  });

  it('refuses keys that IAM would read as wildcards, and empty path segments', () => {
    expect(problems({ bucket, models: { a: { weights: 's3://models-bucket/a/*.onnx' } } })[0]).toMatch(
      /^model 'a': weights: key 'a\/\*\.onnx' must not contain/,
    );
    expect(problems({ bucket, models: { a: { weights: 's3://models-bucket/a//' } } })[0]).toMatch(/empty path segment/);
    expect(problems({ bucket, models: { a: { weights: 's3://Bad_Bucket/a.onnx' } } })[0]).toMatch(
      /bucket 'Bad_Bucket' is not a valid S3 bucket name/,
    );
  });

  it('refuses model names that are not lowercase DNS labels, and the reserved server name', () => {
    expect(problems({ bucket, models: { Tiny: { weights } } })[0]).toMatch(/^model 'Tiny': name: expected 1-40 lowercase letters/);
    expect(problems({ bucket, models: { '-x': { weights } } })[0]).toMatch(/^model '-x': name:/);
    expect(problems({ bucket, models: { ['a'.repeat(41)]: { weights } } })[0]).toMatch(/name: expected 1-40/);
    expect(problems({ bucket, models: { server: { weights } } })).toEqual(["model 'server': name: reserved for the server-level function"]);
  });

  it('requires a bucket and says so when the whole section is missing', () => {
    expect(problems({ models: {} })).toEqual(['bucket: required']);
    expect(problems(undefined)).toEqual(['missing: add custom.onnxless with a bucket and models']);
    expect(problems({ bucket: { name: 'b', create: 'yes' } })).toEqual([
      'bucket.name: expected an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)',
      'bucket.create: expected boolean, got "yes"',
    ]);
  });

  it('puts every problem in the error message, each on its own line', () => {
    expect(() => parseRegistry({ bucket, models: { foo: { weights: 'x' }, bar: { weights: 'y' } } })).toThrow(
      /invalid onnxless registry \(custom\.onnxless\): \n {2}- model 'foo': weights: .*\n {2}- model 'bar': weights: /,
    );
  });
});

describe('modelObjectsResource', () => {
  it('grants a model directory the objects under its prefix, and a single file exactly its object', () => {
    expect(modelObjectsResource(parseS3Uri('s3://models-bucket/ocr/1/'))).toBe('models-bucket/ocr/1/*');
    expect(modelObjectsResource(parseS3Uri('s3://models-bucket/ocr/1/model.onnx'))).toBe('models-bucket/ocr/1/model.onnx');
  });
});
