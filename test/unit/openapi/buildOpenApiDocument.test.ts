import { describe, expect, it } from 'vitest';
import { OpenApiError, UnknownPipelineError, buildOpenApiDocument, openApiJson, type PipelineDeclaration } from '../../../lib/core/openapi';
import { DEFAULT_MODEL_HANDLER, parseRegistry, type RegistryInput } from '../../../lib/core/registry';
import { operations, predictMediaTypes, routes, validateOpenApi } from './openApiAssertions';

// Declarations only: the document never needs a pipeline's predict (nor sharp or onnxruntime).
const pipelines = {
  imageLabel: {
    accepts: ['image/png', 'image/jpeg', 'application/json'],
    description: 'An image in, its label out.',
    resultSchema: { type: 'object', properties: { label: { type: 'string' }, kind: { const: 'label' } }, required: ['label'] },
  },
  speech: {
    accepts: ['audio/wav', 'audio/x-wav', 'application/json'],
    description: 'A WAV in, segments out.',
    resultSchema: { type: 'object', properties: { segments: { type: 'array', items: { type: 'number' } } } },
  },
  rows: {
    accepts: ['application/json'],
    description: 'A JSON array of numbers in.',
    requestSchema: { type: 'array', items: { type: 'number' } },
  },
} satisfies Record<string, PipelineDeclaration>;

function registry(overrides: Partial<RegistryInput> = {}) {
  return parseRegistry({
    bucket: { name: 'models-test' },
    models: {
      plain: { weights: 's3://models-test/plain/model.onnx' },
      explicit: { weights: 's3://models-test/explicit/model.onnx', handler: DEFAULT_MODEL_HANDLER },
      labels: { weights: 's3://models-test/labels/model.onnx', handler: 'handlers/image-label.handler' },
      vad: { weights: 's3://models-test/vad/model.onnx', handler: 'handlers/speech.handler' },
      table: { weights: 's3://models-test/table/model.onnx', handler: 'handlers/rows.handler' },
    },
    ...overrides,
  });
}

const requestSchema = (doc: ReturnType<typeof buildOpenApiDocument>, model: string, type: string) =>
  doc.paths[`/models/${model}/predict`]?.post?.requestBody?.content[type]?.schema;

describe('buildOpenApiDocument', () => {
  it('builds a valid OpenAPI 3.0.3 document for each auth type', async () => {
    for (const auth of ['iam', 'none', { type: 'jwt', issuer: 'https://issuer.example.com/', audience: 'api' }] as const) {
      const doc = buildOpenApiDocument(registry({ auth }), { pipelines });

      expect(doc.openapi).toBe('3.0.3');
      await validateOpenApi(doc);
    }
  });

  it('describes the server routes and this document', () => {
    const doc = buildOpenApiDocument(registry(), { pipelines });

    expect(routes(doc)).toEqual(expect.arrayContaining(['GET /v2', 'GET /v2/health/live', 'GET /v2/health/ready', 'GET /openapi.json']));
  });

  it('leaves the document route out when it is not served', () => {
    const doc = buildOpenApiDocument(registry(), { pipelines, documentPath: false });

    expect(Object.keys(doc.paths)).not.toContain('/openapi.json');
  });

  it('gives every model its OIP routes and only models with their own handler a predict route', () => {
    const doc = buildOpenApiDocument(registry(), { pipelines, documentPath: false });

    expect(
      routes(doc)
        .filter((r) => !r.includes('/v2/health') && r !== 'GET /v2')
        .sort(),
    ).toEqual(
      [
        ...['plain', 'explicit', 'labels', 'vad', 'table'].flatMap((m) => [
          `GET /v2/models/${m}`,
          `GET /v2/models/${m}/ready`,
          `POST /v2/models/${m}/infer`,
        ]),
        'POST /models/labels/predict',
        'POST /models/vad/predict',
        'POST /models/table/predict',
      ].sort(),
    );
  });

  it("offers exactly the pipeline's accepted media types on the predict route", () => {
    const doc = buildOpenApiDocument(registry(), { pipelines });

    expect(predictMediaTypes(doc, 'labels')).toEqual(pipelines.imageLabel.accepts);
    expect(predictMediaTypes(doc, 'vad')).toEqual(pipelines.speech.accepts);
    expect(predictMediaTypes(doc, 'table')).toEqual(pipelines.rows.accepts);
  });

  it('describes raw media bodies as binary and the JSON alternative as its base64 field', () => {
    const doc = buildOpenApiDocument(registry(), { pipelines });

    expect(requestSchema(doc, 'labels', 'image/png')).toMatchObject({ type: 'string', format: 'binary' });
    expect(requestSchema(doc, 'labels', 'application/json')).toMatchObject({
      type: 'object',
      properties: { image: { type: 'string', format: 'byte' } },
      required: ['image'],
    });
    expect(requestSchema(doc, 'vad', 'application/json')).toMatchObject({ required: ['audio'] });
  });

  it("uses a pipeline's own JSON request schema when it declares one", () => {
    const doc = buildOpenApiDocument(registry(), { pipelines });

    expect(requestSchema(doc, 'table', 'application/json')).toEqual({ type: 'array', items: { type: 'number' } });
  });

  it("answers the pipeline's result schema, converted to OpenAPI 3.0", () => {
    const doc = buildOpenApiDocument(registry(), { pipelines });
    const ok = doc.paths['/models/labels/predict']?.post?.responses['200'] as { content: Record<string, { schema: unknown }> };

    expect(ok.content['application/json']?.schema).toEqual({
      type: 'object',
      properties: { label: { type: 'string' }, kind: { enum: ['label'] } },
      required: ['label'],
    });
  });

  it('describes the OIP infer route with JSON and binary bodies and every datatype', () => {
    const doc = buildOpenApiDocument(registry(), { pipelines });
    const infer = doc.paths['/v2/models/plain/infer']?.post;

    expect(Object.keys(infer?.requestBody?.content ?? {})).toEqual(['application/json', 'application/octet-stream']);
    expect(infer?.parameters).toContainEqual(expect.objectContaining({ name: 'Inference-Header-Content-Length', in: 'header' }));
    expect(doc.components.schemas.Datatype?.enum).toEqual([
      'BOOL',
      'UINT8',
      'UINT16',
      'UINT32',
      'UINT64',
      'INT8',
      'INT16',
      'INT32',
      'INT64',
      'FP16',
      'FP32',
      'FP64',
      'BYTES',
    ]);
  });

  it('answers errors with the {"error": string} schema on the statuses the router raises', () => {
    const doc = buildOpenApiDocument(registry({ auth: 'none' }), { pipelines });
    const predict = doc.paths['/models/labels/predict']?.post;

    expect(Object.keys(predict?.responses ?? {})).toEqual(['200', '400', '404', '405', '413', '415', '500', '503', '504']);
    expect(doc.components.responses.UnsupportedMediaType).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
    expect(doc.components.schemas.Error).toMatchObject({ properties: { error: { type: 'string' } }, required: ['error'] });
  });

  it('requires SigV4 for iam, a bearer JWT for jwt, and nothing for none', () => {
    const iam = buildOpenApiDocument(registry({ auth: 'iam' }), { pipelines });
    const jwt = buildOpenApiDocument(registry({ auth: { type: 'jwt', issuer: 'https://issuer.example.com/', audience: ['a', 'b'] } }), {
      pipelines,
    });
    const none = buildOpenApiDocument(registry({ auth: 'none' }), { pipelines });

    expect(iam.security).toEqual([{ sigv4: [] }]);
    expect(iam.components.securitySchemes?.sigv4).toMatchObject({
      type: 'apiKey',
      in: 'header',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    });
    expect(jwt.security).toEqual([{ jwt: [] }]);
    expect(jwt.components.securitySchemes?.jwt).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(jwt.components.securitySchemes?.jwt?.description).toContain('https://issuer.example.com/');
    expect(none.security).toBeUndefined();
    expect(none.components.securitySchemes).toBeUndefined();
  });

  it("adds API Gateway's own refusal to every operation when a caller can be refused", () => {
    const statuses = (auth: RegistryInput['auth']) =>
      operations(buildOpenApiDocument(registry({ auth }), { pipelines })).map((o) => Object.keys(o.responses));

    expect(statuses('iam').every((s) => s.includes('403'))).toBe(true);
    expect(statuses({ type: 'jwt', issuer: 'https://issuer.example.com/', audience: 'a' }).every((s) => s.includes('401'))).toBe(true);
    expect(statuses('none').some((s) => s.includes('401') || s.includes('403'))).toBe(false);
  });

  it("describes a repository's routes with the model and version as path variables, its shared domain route, under the registry's auth", async () => {
    const doc = buildOpenApiDocument(
      registry({
        models: {
          plain: { weights: 's3://models-test/plain/1/' },
          customers: { kind: 'repository', prefix: 's3://models-test/customers/', handler: 'handlers/rows.handler' },
        } as unknown as RegistryInput['models'],
      }),
      { pipelines },
    );

    expect(routes(doc)).toEqual(
      expect.arrayContaining([
        'GET /v2/models/{model}',
        'GET /v2/models/{model}/ready',
        'POST /v2/models/{model}/infer',
        'POST /v2/models/{model}/versions/{version}/infer',
        'POST /models/{model}/predict',
        'POST /v2/models/plain/infer',
      ]),
    );
    const infer = doc.paths['/v2/models/{model}/versions/{version}/infer']!.post!;
    expect(infer).toMatchObject({ operationId: 'infer_repository_version', tags: ['repository customers'] });
    const parameters = infer.parameters as Array<{ name: string; in: string }>;
    expect(parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(['model', 'version']);
    expect(requestSchema(doc, '{model}', 'application/json')).toEqual(pipelines.rows.requestSchema);
    expect(doc.security).toEqual([{ sigv4: [] }]);
    await validateOpenApi(doc);
  });

  it('fails clearly when a custom handler maps to no declared pipeline', () => {
    const models = { ocr: { weights: 's3://models-test/ocr/model.onnx', handler: 'handlers/ocr-lines.handler' } };

    const act = () => buildOpenApiDocument(registry({ models }), { pipelines });

    expect(act).toThrow(UnknownPipelineError);
    expect(act).toThrow(
      /model 'ocr': handler 'handlers\/ocr-lines.handler' maps to pipeline 'ocrLines', which is not declared; declared pipelines: imageLabel, speech, rows/,
    );
  });

  it('maps a handler through handlerPipelines, and refuses a mapping to an undeclared pipeline when built', () => {
    const models = { ocr: { weights: 's3://models-test/ocr/model.onnx', handler: 'handlers/ocr-lines.handler' } };

    const doc = buildOpenApiDocument(registry({ models }), { pipelines, handlerPipelines: { 'handlers/ocr-lines.handler': 'imageLabel' } });

    expect(predictMediaTypes(doc, 'ocr')).toEqual(pipelines.imageLabel.accepts);
    expect(() => buildOpenApiDocument(registry(), { pipelines, handlerPipelines: { 'handlers/x.handler': 'nope' } })).toThrow(OpenApiError);
  });

  it('takes the title, version and servers it is given', () => {
    const doc = buildOpenApiDocument(registry(), {
      pipelines,
      title: 'models',
      version: '9.9.9',
      servers: [{ url: 'https://api.example.com' }],
    });

    expect(doc.info).toMatchObject({ title: 'models', version: '9.9.9' });
    expect(doc.servers).toEqual([{ url: 'https://api.example.com' }]);
  });

  it('is pure: the same input gives the same document, and neither shares nor changes the input', () => {
    const input = registry();
    const before = structuredClone(input);

    const first = buildOpenApiDocument(input, { pipelines });
    const second = buildOpenApiDocument(input, { pipelines });
    (first.components.schemas.Datatype?.enum as string[]).push('MUTATED');
    (
      first.paths['/models/labels/predict']?.post?.responses['200'] as { content: Record<string, { schema: { required: string[] } }> }
    ).content['application/json']!.schema.required.push('MUTATED');

    expect(input).toEqual(before);
    expect(pipelines.imageLabel.resultSchema.required).toEqual(['label']);
    expect(buildOpenApiDocument(input, { pipelines })).toEqual(second);
  });

  it('renders JSON text that parses back to the document', () => {
    const text = openApiJson(registry(), { pipelines });

    expect(JSON.parse(text)).toEqual(buildOpenApiDocument(registry(), { pipelines }));
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe("a handler of the user's own, which the document cannot load", () => {
  const registry = {
    auth: { type: 'none' as const },
    models: { scores: { weights: 's3://b/scores/1/', handler: 'handlers/scores.handler' } },
  };

  it('is refused by default, naming the declared pipelines', () => {
    expect(() => buildOpenApiDocument(registry as never, { pipelines: {} })).toThrow(UnknownPipelineError);
  });

  it("gets an open domain route with undeclared: 'open', as the plugin asks", () => {
    const document = buildOpenApiDocument(registry as never, { pipelines: {}, undeclared: 'open' });
    const predict = document.paths['/models/scores/predict'] as { post: { requestBody: { content: Record<string, unknown> } } };
    expect(Object.keys(predict.post.requestBody.content)).toEqual(['application/json', 'application/octet-stream']);
    expect(document.tags.find((t) => t.name === 'scores')?.description).toContain('handlers/scores.handler');
  });
});
