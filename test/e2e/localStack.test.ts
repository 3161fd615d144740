import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setModelEntry } from '../../lib/core/registry';
import { renderLine } from '../integration/pipelines/renderText';
import { fixedShapeModel, writeModel } from '../support/onnxModels';
import { LocalStackProcess, ROOT, freePort } from '../support/localStackProcess';
import { REAL_MODELS } from '../support/realModels';
import { tempDir } from '../support/testHandler';
import { pngClaiming } from '../unit/processing/pngBomb';

/**
 * The user's path, end to end: `npm start` (embedded S3 server + serverless-offline), every
 * route over real HTTP, then a model added with `onnxless push` and one trained with
 * `onnxless train`, served after a restart with no code written.
 */
const dir = tempDir('onnxless-e2e-');
let stack: LocalStackProcess;

beforeAll(async () => {
  stack = await LocalStackProcess.create(join(dir, 'local'));
  await stack.start();
}, 300_000);

afterAll(async () => {
  const code = await stack?.stop();
  stack?.dispose();
  expect(code).toBe(0);
  // Ctrl-C released the folder for the next start.
  expect(existsSync(join(dir, 'local', 'stack.lock'))).toBe(false);
}, 60_000);

const url = (path: string) => `${stack.baseUrl}${path}`;
const json = (res: Response): Promise<any> => res.json();
const post = (path: string, body: string | Buffer, contentType = 'application/json') =>
  fetch(url(path), { method: 'POST', body, headers: { 'content-type': contentType } });

function cli(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/onnxless.mjs'), ...args], {
    cwd: stack.serviceDir,
    env: { ...process.env, ...stack.env },
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

async function directRun(path: string, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await InferenceSession.create(path);
  return session.run(feeds);
}

describe('npm start', () => {
  // First in the file: the function must not have been loaded yet (a loaded bundle stays in memory).
  it("answers 502 with the reason, as API Gateway would, never 200, when a function's build is missing", async () => {
    const bundle = join(dir, 'local', 'build', '.build', 'handlers', 'voice-activity.cjs');
    renameSync(bundle, `${bundle}.away`);
    try {
      const res = await fetch(url('/v2/models/voice-activity'));
      expect(res.status).toBe(502);
      expect(await json(res)).toEqual({ message: 'Internal server error', error: expect.stringMatching(/Cannot find module/) });
    } finally {
      renameSync(`${bundle}.away`, bundle);
    }
    expect((await fetch(url('/v2/models/voice-activity'))).status).toBe(200);
  });

  it('prints the URLs and a curl line that answers', async () => {
    const line = /curl -s (\S+)/.exec(stack.output);
    expect(line).not.toBeNull();
    const res = await fetch(line?.[1] as string);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ name: 'tiny', platform: 'onnxruntime_onnx' });
  });

  it('answers the server routes', async () => {
    expect(await json(await fetch(url('/v2')))).toMatchObject({ name: 'onnxless', extensions: ['binary_tensor_data', 'classification'] });
    expect((await fetch(url('/v2/health/live'))).status).toBe(200);
    expect((await fetch(url('/v2/health/ready'))).status).toBe(200);
  });

  it('serves the OpenAPI document of every registered model', async () => {
    const res = await fetch(url('/openapi.json'));
    expect(res.status).toBe(200);
    const doc = await json(res);
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v2/models/tiny/infer', '/models/voice-activity/predict']));
  });

  it.each(['tiny', 'text-orientation'])('serves every OIP route of %s like a direct run', async (model) => {
    const meta = await json(await fetch(url(`/v2/models/${model}`)));
    expect(meta.inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, 3, -1, -1] }]);
    expect(await json(await fetch(url(`/v2/models/${model}/ready`)))).toEqual({ name: model, ready: true });

    const data = Array.from({ length: 3 * 48 * 192 }, (_, i) => Math.cos(i * 0.11));
    const res = await post(
      `/v2/models/${model}/infer`,
      JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data }] }),
    );
    expect(res.status).toBe(200);
    const body = await json(res);
    const expected = await directRun(REAL_MODELS.textOrientation, { x: new Tensor('float32', Float32Array.from(data), [1, 3, 48, 192]) });
    const want = Array.from((Object.values(expected)[0] as Tensor).data as Float32Array);
    want.forEach((v, i) => expect(Math.abs(body.outputs[0].data[i] - v)).toBeLessThanOrEqual(1e-6));
  });

  it('serves voice activity on raw tensors and on a WAV through its domain route', async () => {
    const meta = await json(await fetch(url('/v2/models/voice-activity')));
    expect(meta.inputs.map((i: { name: string }) => i.name)).toEqual(['input', 'state', 'sr']);
    const wav = readFileSync(join(ROOT, 'test/fixtures/audio/speech-in-silence.wav'));
    const res = await post('/models/voice-activity/predict', wav, 'audio/wav');
    expect(res.status).toBe(200);
    const { segments } = await json(res);
    expect(segments.length).toBeGreaterThan(0);
    expect(segments.every((s: { start: number; end: number }) => s.start >= 1.5 && s.end <= 5.6)).toBe(true);
  });

  it('reads a rendered text line through the text recognition domain route', async () => {
    const png = await renderLine('HELLO 42');
    const res = await post('/models/text-recognition/predict', png, 'image/png');
    expect(res.status).toBe(200);
    expect((await json(res)).text).toBe('HELLO 42');
  });

  describe('bad input through the HTTP routes', () => {
    it.each([
      ['an undecodable image', '/models/text-orientation/predict', Buffer.from('not a png at all'), 'image/png', 400],
      ['an unsupported media type', '/models/text-orientation/predict', Buffer.from('x'), 'text/plain', 415],
      ['a broken WAV', '/models/voice-activity/predict', Buffer.from('RIFF....WAVEjunk'), 'audio/wav', 400],
      ['a decompression bomb', '/models/text-orientation/predict', pngClaiming(100_000, 100_000), 'image/png', 413],
      ['a wrong JSON field', '/models/text-orientation/predict', Buffer.from('{"picture":"abc"}'), 'application/json', 400],
      [
        'an infer request with a bad datatype',
        '/v2/models/tiny/infer',
        Buffer.from('{"inputs":[{"name":"x","shape":[1],"datatype":"NOPE","data":[1]}]}'),
        'application/json',
        400,
      ],
    ])('%s', async (_what, path, body, type, status) => {
      const res = await post(path, body, type);
      expect(res.status).toBe(status);
      const answer = await json(res);
      expect(typeof answer.error).toBe('string');
      expect(answer.error.length).toBeGreaterThan(5);
    });

    it('answers 413 to a body over the limit', async () => {
      const res = await post('/models/text-orientation/predict', Buffer.alloc(7 * 1024 * 1024, 1), 'image/png');
      expect(res.status).toBe(413);
    });

    it("answers a gzip-compressed infer request (tritonclient's request_compression_algorithm) as the plain one", async () => {
      const body = Buffer.from(
        JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: new Array(3 * 48 * 192).fill(0.5) }] }),
      );
      // No Content-Type, as tritonclient sends: the body reaches the function base64-encoded, bytes intact
      const plain = await fetch(url('/v2/models/tiny/infer'), { method: 'POST', body });
      const compressed = await fetch(url('/v2/models/tiny/infer'), {
        method: 'POST',
        body: gzipSync(body),
        headers: { 'content-encoding': 'gzip' },
      });
      expect([plain.status, compressed.status]).toEqual([200, 200]);
      expect(await json(compressed)).toEqual(await json(plain));
    });

    it('answers 404 for an unknown route', async () => {
      expect((await fetch(url('/v2/models/nope'))).status).toBe(404);
    });
  });
});

describe('the local stack tells the truth', () => {
  /** The reason on a line of its own, and no stack trace. */
  const saysOnly = (output: string, reason: RegExp) => {
    expect(output).toMatch(reason);
    expect(output).not.toMatch(/^\s+at /m);
  };
  const freshPorts = async () => ({
    ONNXLESS_LOCAL_S3_PORT: String(await freePort()),
    ONNXLESS_LOCAL_HTTP_PORT: String(await freePort()),
    ONNXLESS_LOCAL_LAMBDA_PORT: String(await freePort()),
  });

  it('refuses a second stack on the same folder, naming the process that holds it', async () => {
    const second = await stack.attempt(await freshPorts());
    expect(second.code).toBe(1);
    saysOnly(second.output, /^onnxless: another local stack \(pid \d+\) is using .*: stop it first, or set ONNXLESS_LOCAL_DIR/m);
  });

  it.each([
    ['S3', 'ONNXLESS_LOCAL_S3_PORT'],
    ['HTTP', 'ONNXLESS_LOCAL_HTTP_PORT'],
  ])('names the variable to set when the %s port is taken', async (_what, variable) => {
    const taken = { [variable]: stack.env[variable] as string };
    const other = await stack.attempt({ ...(await freshPorts()), ...taken, ONNXLESS_LOCAL_DIR: join(dir, `other-${variable}`) });
    expect(other.code).toBe(1);
    saysOnly(other.output, new RegExp(`^onnxless: port ${taken[variable]} .* is taken: set ${variable} to a free port$`, 'm'));
  });

  it('keeps the weights it served in its own cache folder', () => {
    const cached = readdirSync(join(dir, 'local', 'cache'));
    expect(cached.length).toBeGreaterThan(0);
  });

  it('builds its functions in its own folder, which serverless package (it deletes .esbuild) never touches', () => {
    expect(readdirSync(join(dir, 'local', 'build', '.build', '.onnxless', 'handlers'))).toEqual(
      expect.arrayContaining(['tensor.cjs', 'server.cjs']),
    );
    expect(existsSync(join(stack.serviceDir, '.esbuild'))).toBe(false);
  });

  it('writes JSON log lines and EMF when its output is not a terminal, as on Lambda', async () => {
    const output = await stack.printed(/^\{"level":"INFO","message":"request".*"route":"\/v2\/models\/\{model\}\/infer"/m);
    expect(output).toMatch(/^\{"level":"INFO","message":"request".*"route":"\/v2\/models\/\{model\}\/infer"/m);
    expect(output).toMatch(/^\{"_aws":\{.*"CloudWatchMetrics"/m);
  });
});

/**
 * Web pages of other origins, on `npm start` itself over real HTTP: the emulator grants CORS to
 * its own origin alone, its S3 server refuses the unsigned form POST any web page can send, and
 * its routes match whole paths.
 */
const grant = (res: Response) => [res.headers.get('access-control-allow-origin'), res.headers.get('access-control-allow-credentials')];

describe('npm start and other origins', () => {
  it('grants no CORS to a page of another origin, on an answer or a preflight', async () => {
    const evil = { origin: 'http://evil.example' };
    const read = await fetch(url('/v2/models/tiny'), { headers: evil });
    expect(read.status).toBe(200);
    expect(grant(read)).toEqual([null, null]);
    const preflight = await fetch(url('/v2/models/tiny/infer'), {
      method: 'OPTIONS',
      headers: { ...evil, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(grant(preflight)).toEqual([null, null]);
  });

  it("grants CORS to the stack's own origin", async () => {
    const own = `http://localhost:${stack.env.ONNXLESS_LOCAL_HTTP_PORT}`;
    expect(grant(await fetch(url('/v2/models/tiny'), { headers: { origin: own } }))).toEqual([own, 'true']);
  });

  it('stores nothing a web page posts to its S3 server', async () => {
    const s3 = `http://127.0.0.1:${stack.env.ONNXLESS_LOCAL_S3_PORT}`;
    const form = new FormData();
    form.append('key', 'tiny/1/manifest.json');
    form.append('file', new Blob(['{"files":[]}']), 'manifest.json');
    const res = await fetch(`${s3}/onnxless-models-dev`, { method: 'POST', body: form, headers: { origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
    // The seeded model still loads: its manifest was not replaced.
    expect((await fetch(url('/v2/models/tiny/ready'))).status).toBe(200);
  });

  it('matches whole paths: a page file path is never the OpenAPI document', async () => {
    const res = await fetch(url('/web/openapi.json'));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/^no page file 'openapi\.json'/);
    // The pages themselves, behind $default where the registry keeps them private, still open here.
    expect((await fetch(url('/docs'))).status).toBe(200);
  });
});

describe('adding models the way a user does', () => {
  const added = join(dir, 'added.onnx');
  // A model directory, as `npm run train` makes: model.onnx and its loss curve model.loss.svg.
  const trained = join(dir, 'trained', 'model.onnx');

  beforeAll(async () => {
    writeModel(added, fixedShapeModel());
    const pushed = await cli(['push', added, '--model', 'added', '--local', '--config', stack.configPath]);
    expect(pushed.code, pushed.output).toBe(0);
    expect(pushed.output).toMatch(/sha256 {2}[0-9a-f]{64}/);

    const train = await cli(['train', '--epochs', '30', '--out', trained]);
    expect(train.code, train.output).toBe(0);
    const pushTrained = await cli(['push', join(dir, 'trained'), '--model', 'trained', '--local', '--config', stack.configPath]);
    expect(pushTrained.code, pushTrained.output).toBe(0);
    await setModelEntry(stack.configPath, 'trained', { handler: 'handlers/dense-regression.handler' });

    const models = await cli(['models', '--local', '--config', stack.configPath]);
    expect(models.output).toMatch(/added\s+ok/);

    expect(await stack.stop()).toBe(0);
    // Restarted as a user at a terminal would see it, with a cache folder of their choosing.
    await stack.start({ args: ['--log', 'compact'], env: { ONNXLESS_CACHE_DIR: join(dir, 'chosen-cache') } });
  }, 400_000);

  it('serves a pushed model after a restart, with no code written', async () => {
    const x = [1, 2, 3, 4, 5, 6];
    const res = await post(
      '/v2/models/added/infer',
      JSON.stringify({
        inputs: [
          { name: 'x', shape: [2, 3], datatype: 'FP32', data: x },
          { name: 'a', shape: [1], datatype: 'FP32', data: [1] },
          { name: 'b', shape: [1], datatype: 'FP32', data: [2] },
        ],
        outputs: [{ name: 'y' }],
      }),
    );
    expect(res.status).toBe(200);
    expect((await json(res)).outputs[0].data).toEqual(x.map((v) => v * 2 + 1));
  });

  it('serves a model trained a minute ago on its OIP and domain routes', async () => {
    const sample = Array.from({ length: 10 }, (_, i) => (i - 5) / 5);
    const expected = await directRun(trained, { input: new Tensor('float32', Float32Array.from(sample), [1, 10]) });
    const want = Array.from((expected.output as Tensor).data as Float32Array);

    const domain = await post('/models/trained/predict', JSON.stringify(sample));
    expect(domain.status).toBe(200);
    const { output } = await json(domain);
    want.forEach((v, i) => expect(Math.abs(output[i] - v)).toBeLessThanOrEqual(1e-6));

    const oip = await post(
      '/v2/models/trained/infer',
      JSON.stringify({ inputs: [{ name: 'input', shape: [1, 10], datatype: 'FP32', data: sample }] }),
    );
    expect(oip.status).toBe(200);
    const data = (await json(oip)).outputs[0].data as number[];
    want.forEach((v, i) => expect(Math.abs((data[i] as number) - v)).toBeLessThanOrEqual(1e-6));

    const wrong = await post('/models/trained/predict', JSON.stringify([1, 2, 3]));
    expect(wrong.status).toBe(400);
    expect((await json(wrong)).error).toMatch(/expected 10 numbers, got 3/);

    // Its metadata carries the training facts from the ONNX file and the curve pushed beside it.
    const meta = await json(await fetch(url('/v2/models/trained')));
    expect(meta.parameters.metadata).toMatchObject({ optimizer: 'adam', epochs: '30', loss: 'mse' });
    expect(meta.parameters.loss_curve_svg).toBe(readFileSync(join(dir, 'trained', 'model.loss.svg'), 'utf8'));
  });

  it('prints one compact line per request with --log compact, and no JSON, EMF or route box', async () => {
    await stack.printed(/^POST \/models\/\{model\}\/predict trained 400 [\d.]+ ms/m);
    expect(stack.output).toMatch(/^POST \/v2\/models\/\{model\}\/infer added 200 [\d.]+ ms/m);
    expect(stack.output).toMatch(/^POST \/models\/\{model\}\/predict trained 400 [\d.]+ ms/m);
    expect(stack.output).not.toContain('"_aws"');
    expect(stack.output).not.toContain('│');
    expect(stack.output).not.toMatch(/RequestId: /);
  });

  it('keeps the weights in ONNXLESS_CACHE_DIR when it is set', () => {
    expect(readdirSync(join(dir, 'chosen-cache')).length).toBeGreaterThan(0);
  });
});
