import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXAMPLE_MODELS, EXAMPLE_WEIGHTS } from '../../../lib/tools/local/exampleWeights';
import { inspectModel } from '../../../lib/tools/store/inspectModel';
import { pushModel } from '../../../lib/tools/store/pushModel';
import { httpApiEvent, jsonBody, type Result } from '../../support/httpApiEvent';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { renderPage } from '../pipelines/ocrPage';
import { renderLine } from '../pipelines/renderText';
import { examplePackage } from './examplePackage';
import { startPackagedFunction, type LambdaSandbox } from './lambdaSandbox';
import { EXAMPLE_REGISTRY, ROOT, extractZip, lambdaFunction, removeService, type PackagedService } from './serviceFixture';

/**
 * Every function of the packaged example registry, run from its own zip and its layers' zips as
 * Lambda lays them out (lambdaSandbox.ts: task root and /opt only, Node 22), with the environment
 * the CloudFormation template gives it and its weights in a real S3-protocol server. Each answers
 * its metadata, an OIP infer equal to onnxruntime's own output, and its domain route correctly.
 * arm64 functions run with the host's build of their layers (same JS); the arm64 layer's own
 * contents are checked at the end.
 */
const ENTRIES = Object.entries(
  (parse(readFileSync(EXAMPLE_REGISTRY, 'utf8')) as { custom: { onnxless: { models: Record<string, { kind?: string }> } } }).custom.onnxless
    .models,
);
const MODELS = ENTRIES.filter(([, entry]) => entry.kind !== 'pipeline').map(([name]) => name);
/** Entries of kind pipeline: one function holding its member models (docs/pipelines.md). */
const PIPELINES = ENTRIES.filter(([, entry]) => entry.kind === 'pipeline').map(([name]) => name);
type Tensor = { name: string; datatype: string; shape: number[]; data: number[] };

const wave = (n: number, k = 0.37) => Array.from({ length: n }, (_, i) => Math.sin(i * k) * 0.8);
const imageInput = (width: number): Tensor[] => [{ name: 'x', datatype: 'FP32', shape: [1, 3, 48, width], data: wave(3 * 48 * width) }];

/** OIP inputs per example model: a new example needs its line here. */
const OIP_INPUTS: Record<string, Tensor[]> = {
  tiny: imageInput(192),
  'text-orientation': imageInput(192),
  'text-recognition': imageInput(64),
  'voice-activity': [
    { name: 'input', datatype: 'FP32', shape: [1, 512], data: wave(512, 0.05) },
    { name: 'state', datatype: 'FP32', shape: [2, 1, 128], data: new Array(256).fill(0) },
    { name: 'sr', datatype: 'INT64', shape: [], data: [16000] },
  ],
  'text-embedding': [{ name: 'input_ids', datatype: 'INT64', shape: [1, 4], data: [1, 15043, 3186, 31999] }],
};

/** What onnxruntime itself computes for these inputs on the example weights. */
async function direct(model: string, inputs: Tensor[]): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(EXAMPLE_WEIGHTS[model]!);
  const feeds = Object.fromEntries(
    inputs.map((t) => [
      t.name,
      t.datatype === 'INT64'
        ? new ort.Tensor('int64', BigInt64Array.from(t.data.map(BigInt)), t.shape)
        : new ort.Tensor('float32', Float32Array.from(t.data), t.shape),
    ]),
  );
  const out = await session.run(feeds);
  await session.release();
  return out;
}

async function domainRequest(sandbox: LambdaSandbox, model: string, body: Buffer, contentType: string): Promise<Result> {
  return (await sandbox.invoke(
    httpApiEvent('POST', `/models/${model}/predict`, { body, headers: { 'content-type': contentType } }),
  )) as Result;
}

/** The domain route answers correctly: one check per example with a handler. */
const DOMAIN_CHECKS: Record<string, (sandbox: LambdaSandbox) => Promise<void>> = {
  'text-orientation': async (sandbox) => {
    const upright = await domainRequest(sandbox, 'text-orientation', await renderLine('Serverless 42'), 'image/png');
    const flipped = await domainRequest(sandbox, 'text-orientation', await renderLine('Serverless 42', { rotate180: true }), 'image/png');
    expect([upright.statusCode, flipped.statusCode], upright.body + flipped.body).toEqual([200, 200]);
    expect([jsonBody(upright).label, jsonBody(flipped).label]).toEqual(['0', '180']);
  },
  'text-recognition': async (sandbox) => {
    const phrase = 'The quick brown fox 42';
    const result = await domainRequest(sandbox, 'text-recognition', await renderLine(phrase), 'image/png');
    expect(result.statusCode, result.body).toBe(200);
    expect(jsonBody(result).text).toBe(phrase);
  },
  'text-embedding': async (sandbox) => {
    // The example encoder measures lexical overlap (lib/tools/local/exampleTextEncoder.ts): a paraphrase
    // sharing most words must score above a sentence sharing none.
    const texts = ['the cat sat on the mat', 'the cat sat on a mat', 'stock prices fell sharply today'];
    const result = await domainRequest(sandbox, 'text-embedding', Buffer.from(JSON.stringify({ texts })), 'application/json');
    expect(result.statusCode, result.body).toBe(200);
    const [a, b, c] = (jsonBody(result) as { embeddings: number[][] }).embeddings as [number[], number[], number[]];
    const cos = (x: number[], y: number[]) => x.reduce((sum, v, i) => sum + v * (y[i] as number), 0);
    expect(a).toHaveLength(64);
    expect(cos(a, b)).toBeGreaterThan(0.6);
    expect(cos(a, b)).toBeGreaterThan(cos(a, c) + 0.4);
  },
  'voice-activity': async (sandbox) => {
    // The sentence spans 2.015 s to 5.045 s of the clip (test/fixtures/audio/README.md).
    const wav = await readFile(path.join(ROOT, 'test/fixtures/audio/speech-in-silence.wav'));
    const result = await domainRequest(sandbox, 'voice-activity', wav, 'audio/wav');
    expect(result.statusCode, result.body).toBe(200);
    const { segments } = jsonBody(result) as { segments: Array<{ start: number; end: number }> };
    expect(segments.length).toBeGreaterThanOrEqual(1);
    const covered = segments.reduce((sum, s) => sum + Math.max(0, Math.min(s.end, 5.045) - Math.max(s.start, 2.015)), 0);
    expect(covered).toBeGreaterThan(0.8 * (5.045 - 2.015));
    for (const s of segments) expect([s.start > 1.5, s.end < 5.6]).toEqual([true, true]);
  },
};

describe('every packaged function, run from its own zip and layer zips on Node 22', () => {
  let pkg: PackagedService;
  let s3: LocalS3;
  let scratch: string;
  const layerZips = new Map<string, string>();

  /** Its zip, its layers (host architecture), the template's environment and timeout. */
  function startFunction(key: string, extra: { env?: Record<string, string>; runtimeModules?: string } = {}): Promise<LambdaSandbox> {
    return startPackagedFunction({
      template: pkg.template,
      out: pkg.out,
      key,
      layerZip: (file) => {
        const zip = layerZips.get(file);
        if (!zip) throw new Error(`function '${key}': no layer zip ${file} (have ${[...layerZips.keys()].join(', ')})`);
        return zip;
      },
      s3Endpoint: s3.endpoint,
      cacheDir: path.join(scratch, key),
      ...extra,
    });
  }

  beforeAll(async () => {
    pkg = await examplePackage();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'onnxless-functions-'));
    // Layer zips as the package built them (the plugin writes them under layers/<name>/dist/).
    for (const layer of await readdir(path.join(ROOT, 'layers'))) {
      const dist = path.join(ROOT, 'layers', layer, 'dist');
      for (const file of await readdir(dist).catch(() => [])) if (file.endsWith('.zip')) layerZips.set(file, path.join(dist, file));
    }
    // Each example model pushed as `onnxless push` does, where its template environment says it is.
    const members = PIPELINES.flatMap((p) =>
      Object.values(
        JSON.parse(lambdaFunction(pkg.template, p).Properties.Environment.Variables.ONNXLESS_PIPELINE_MODELS as string) as Record<
          string,
          { name: string; uri: string }
        >,
      ).map((m) => [m.name, m.uri] as const),
    );
    const uris = [
      ...MODELS.map((m) => [m, lambdaFunction(pkg.template, m).Properties.Environment.Variables.ONNXLESS_MODEL_URI as string] as const),
      ...members,
    ];
    const buckets = [...new Set(uris.map(([, uri]) => new URL(uri).host))];
    s3 = await startLocalS3(buckets);
    for (const [model, uri] of uris) {
      const { host, pathname } = new URL(uri);
      await pushModel(s3.setupClient, await inspectModel(EXAMPLE_MODELS[model]!, model), { bucket: host, prefix: pathname.slice(1) });
    }
  }, 300_000);

  afterAll(async () => {
    await s3?.close();
    await removeService(pkg);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  describe.each(MODELS)('%s', (model) => {
    let sandbox: LambdaSandbox;
    beforeAll(async () => {
      sandbox = await startFunction(model);
    }, 120_000);
    afterAll(() => sandbox?.stop());

    it('loads its bundle from the task root and onnxruntime from its layer', () => {
      expect(sandbox.handlerFile).toMatch(/^(\.onnxless\/)?handlers\/[\w-]+\.cjs$/);
      expect(sandbox.ortPath?.startsWith(sandbox.opt)).toBe(true);
    });

    it('answers its metadata', async () => {
      const result = (await sandbox.invoke(httpApiEvent('GET', `/v2/models/${model}`))) as Result;
      expect(result.statusCode, result.body).toBe(200);
      expect(jsonBody(result)).toMatchObject({ name: model, platform: 'onnxruntime_onnx' });
    });

    it('answers an OIP infer with what onnxruntime computes on the same weights', async () => {
      const inputs = OIP_INPUTS[model];
      expect(inputs, `add OIP inputs for '${model}' to OIP_INPUTS`).toBeDefined();
      const result = (await sandbox.invoke(
        httpApiEvent('POST', `/v2/models/${model}/infer`, { body: JSON.stringify({ inputs }) }),
      )) as Result;
      expect(result.statusCode, result.body.slice(0, 500)).toBe(200);
      const expected = await direct(model, inputs!);
      const outputs = (jsonBody(result) as { outputs: Tensor[] }).outputs;
      expect(outputs.map((o) => o.name).sort()).toEqual(Object.keys(expected).sort());
      for (const output of outputs) {
        const want = expected[output.name]!;
        expect(output.shape).toEqual([...want.dims]);
        const values = Array.from(want.data as Float32Array, Number);
        const worst = Math.max(...output.data.map((v, i) => Math.abs(v - values[i]!)));
        expect([output.name, worst < 1e-5]).toEqual([output.name, true]);
      }
    });

    const domain = DOMAIN_CHECKS[model];
    if (domain) it('answers its domain route correctly', () => domain(sandbox), 60_000);
  });

  describe.each(PIPELINES)('%s (a pipeline of models)', (pipeline) => {
    let sandbox: LambdaSandbox;
    beforeAll(async () => {
      sandbox = await startFunction(pipeline);
    }, 120_000);
    afterAll(() => sandbox?.stop());

    it('reads a rendered page through all its models, each member answering its own metadata on the same function', async () => {
      const page = await renderPage([
        { text: 'Serverless pipelines 42', fontSize: 32 },
        { text: 'river stone K7Q2', fontSize: 28, angle: 180 },
      ]);
      const result = await domainRequest(sandbox, pipeline, page.png, 'image/png');
      expect(result.statusCode, result.body).toBe(200);
      expect((jsonBody(result) as { lines: { text: string }[] }).lines.map((l) => l.text)).toEqual([
        'Serverless pipelines 42',
        'river stone K7Q2',
      ]);
      const env = lambdaFunction(pkg.template, pipeline).Properties.Environment.Variables.ONNXLESS_PIPELINE_MODELS as string;
      for (const { name } of Object.values(JSON.parse(env) as Record<string, { name: string }>)) {
        const meta = (await sandbox.invoke(httpApiEvent('GET', `/v2/models/${name}`))) as Result;
        expect([name, meta.statusCode]).toEqual([name, 200]);
      }
    }, 60_000);
  });

  describe('how a model function reads its weights', () => {
    /** Every request the store saw for tiny's objects, with the client that made it. */
    const tinyRequests = () => s3.proxy.requests.filter((r) => r.path.includes('/tiny/'));
    const infer = (sandbox: LambdaSandbox) =>
      sandbox.invoke(
        httpApiEvent('POST', '/v2/models/tiny/infer', { body: JSON.stringify({ inputs: OIP_INPUTS.tiny }) }),
      ) as Promise<Result>;

    it("with the environment's credentials, as Lambda gives them: signed GETs, the AWS SDK neither in the zip nor needed", async () => {
      s3.proxy.reset();
      const sandbox = await startFunction('tiny', { env: { ONNXLESS_CACHE_DIR: path.join(scratch, 'tiny-signed') } });
      try {
        expect((await infer(sandbox)).statusCode).toBe(200);
      } finally {
        await sandbox.stop();
      }
      expect(tinyRequests().length).toBeGreaterThan(0);
      expect(new Set(tinyRequests().map((r) => r.userAgent?.split(' ')[1]))).toEqual(new Set(['signed-get']));
      const unpacked = path.join(scratch, 'tiny-zip');
      await extractZip(path.join(pkg.out, 'tiny.zip'), unpacked);
      const bundle = await readFile(path.join(unpacked, sandbox.handlerFile), 'utf8');
      expect(bundle.length).toBeGreaterThan(10_000);
      // A class only the bundled SDK defines (the name survives minification: keepNames).
      expect(bundle).not.toContain('S3ExpressIdentityProviderImpl');
    });

    it('with ONNXLESS_S3_CLIENT=sdk: through the AWS SDK v3 that the runtime carries, found on NODE_PATH', async () => {
      s3.proxy.reset();
      // The project's node_modules stands in for /var/runtime/node_modules (Lambda's own SDK).
      const sandbox = await startFunction('tiny', {
        env: { ONNXLESS_S3_CLIENT: 'sdk', ONNXLESS_CACHE_DIR: path.join(scratch, 'tiny-sdk') },
        runtimeModules: path.join(ROOT, 'node_modules'),
      });
      try {
        const result = await infer(sandbox);
        expect(result.statusCode, result.body.slice(0, 300)).toBe(200);
      } finally {
        await sandbox.stop();
      }
      expect(tinyRequests().length).toBeGreaterThan(0);
      for (const r of tinyRequests()) expect(r.userAgent).toMatch(/aws-sdk-js\/3\./);
    });
  });

  describe('tracing, as the template deploys it (active tracing)', () => {
    it("sends the load's and the request's subsegments from the zip to the X-Ray daemon, under the invocation's trace", async () => {
      // A UDP socket of this test stands in for the daemon Lambda runs at AWS_XRAY_DAEMON_ADDRESS;
      // AWS_EXECUTION_ENV and the sampled trace header are what the runtime sets in Lambda.
      const daemon = createSocket('udp4');
      const docs: Array<{ name: string; trace_id: string; parent_id: string; id: string; annotations?: Record<string, number> }> = [];
      daemon.on('message', (msg) => {
        const [header, doc] = msg.toString('utf8').split('\n');
        if (header === '{"format":"json","version":1}' && doc) docs.push(JSON.parse(doc) as (typeof docs)[number]);
      });
      await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
      const root = '1-6759e98c-0123456789abcdef0123456c';
      const sandbox = await startFunction('tiny', {
        env: {
          AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
          AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(daemon.address() as AddressInfo).port}`,
          _X_AMZN_TRACE_ID: `Root=${root};Parent=4444444444444444;Sampled=1`,
          ONNXLESS_CACHE_DIR: path.join(scratch, 'tiny-traced'),
        },
      });
      // tiny is a model directory: its manifest, then the pre-optimised graph it lists, each one download.
      const names = ['inference', 'load', 'postprocess', 'preprocess', 'preprocess', 's3 download', 's3 download', 'session creation'];
      try {
        expect(
          (await sandbox.invoke(httpApiEvent('POST', '/v2/models/tiny/infer', { body: JSON.stringify({ inputs: OIP_INPUTS.tiny }) })))
            .statusCode,
        ).toBe(200);
        for (let i = 0; i < 200 && docs.length < names.length; i++) await new Promise((r) => setTimeout(r, 25));
      } finally {
        await sandbox.stop();
        daemon.close();
      }
      expect(docs.map((d) => d.name).sort()).toEqual(names);
      const load = docs.find((d) => d.name === 'load')!;
      for (const d of docs)
        expect([d.name, d.trace_id, d.parent_id]).toEqual([
          d.name,
          root,
          ['s3 download', 'session creation'].includes(d.name) ? load.id : '4444444444444444',
        ]);
      const downloads = docs.filter((d) => d.name === 's3 download').map((d) => d.annotations);
      expect(downloads).toEqual([
        { bytes: expect.any(Number), parts: 1, resumedBytes: 0 },
        { bytes: expect.any(Number), parts: 1, resumedBytes: 0 },
      ]);
      expect(Math.max(...downloads.map((a) => a!.bytes!))).toBeGreaterThan(500_000);
    }, 60_000);
  });

  describe('server', () => {
    let sandbox: LambdaSandbox;
    beforeAll(async () => {
      sandbox = await startFunction('server');
    }, 60_000);
    afterAll(() => sandbox?.stop());

    it('needs no layer and answers GET /v2 and GET /openapi.json for every model', async () => {
      expect(sandbox.ortPath).toBeNull();
      const info = (await sandbox.invoke(httpApiEvent('GET', '/v2'))) as Result;
      expect(info.statusCode).toBe(200);
      expect(jsonBody(info)).toMatchObject({ name: 'onnxless' });
      const doc = (await sandbox.invoke(httpApiEvent('GET', '/openapi.json'))) as Result;
      expect(doc.statusCode).toBe(200);
      const paths = Object.keys((jsonBody(doc) as { paths: object }).paths);
      for (const model of MODELS) expect(paths).toContain(`/v2/models/${model}/infer`);
    });

    it('answers GET /docs and /playground from its zip alone: the pages, their files and the document in them', async () => {
      const docs = (await sandbox.invoke(httpApiEvent('GET', '/docs'))) as Result;
      expect(docs.statusCode).toBe(200);
      expect(docs.headers?.['content-type']).toBe('text/html; charset=utf-8');
      expect(docs.body).toContain('src="web/swagger-ui-bundle.js"');
      expect(docs.body).toContain('/models/text-recognition/predict');
      const playground = (await sandbox.invoke(httpApiEvent('GET', '/playground'))) as Result;
      expect(playground.statusCode).toBe(200);
      expect(playground.body).toContain('src="web/playground.js"');
      const ui = (await sandbox.invoke(httpApiEvent('GET', '/web/swagger-ui-bundle.js'))) as Result;
      expect(ui.statusCode).toBe(200);
      expect(ui.body.length).toBeGreaterThan(1_000_000);
      expect(ui.body).toContain('SwaggerUIBundle');
    });
  });

  it('ships arm64 functions a layer whose native code is all linux/arm64', async () => {
    const arm64 = MODELS.filter((m) => (lambdaFunction(pkg.template, m).Properties.Architectures as string[])[0] === 'arm64');
    expect(arm64.length).toBeGreaterThan(0);
    const refs = new Set(
      arm64.flatMap((m) => (lambdaFunction(pkg.template, m).Properties.Layers as Array<{ Ref: string }>).map((l) => l.Ref)),
    );
    for (const ref of refs) {
      const file = path.basename(pkg.template.Resources[ref]!.Properties.Content.S3Key as string);
      expect(file).toMatch(/-arm64\.zip$/);
      const dir = path.join(scratch, `layer-${file}`);
      const entries = await extractZip(layerZips.get(file)!, dir);
      expect(entries.every((e) => e.startsWith('nodejs/node_modules/'))).toBe(true);
      const native = entries.filter((e) => /\.(node|so(\.\d+)*)$/.test(e));
      expect(native.length).toBeGreaterThan(0);
      for (const entry of native) {
        expect(entry).not.toMatch(/x64|x86_64|darwin|win32/);
        // ELF e_machine (bytes 18-19, little-endian) 183 is EM_AARCH64.
        const header = (await readFile(path.join(dir, entry))).subarray(0, 20);
        expect([entry, header.toString('latin1', 1, 4), header.readUInt16LE(18)]).toEqual([entry, 'ELF', 183]);
      }
    }
  });
});
