import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InferenceSession } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_STACK } from '../../lib/tools/local/localStack';
import { EXAMPLE_WEIGHTS } from '../../lib/tools/local/exampleWeights';
import { getPipeline } from '../../lib/core/builtins';
import { parseS3Uri, readRegistryFile, setModelEntry } from '../../lib/core/registry';
import { startTestServer } from '../integration/server/helpers';
import { LocalStackProcess } from '../support/localStackProcess';
import { encodeModel, writeModel } from '../support/onnxModels';
import { tempDir } from '../support/testHandler';
import { crossPrefixCases, crossPrefixProblem } from './crossPrefix';
import { answerShape, contractCases, type ContractCase } from './requestList';
import { sendRaw, type WireRequest, type WireResponse } from './rawHttp';
import { deployedApi, EXAMPLE_MODELS, type ContractModel } from './targets';

/**
 * The same request list, as clients put it on the wire, against the three ways of serving: the
 * local stack (`npm start`), `onnxless serve`, and the Lambda handlers behind the HTTP API's
 * routes. Each answers with the expected status, and all three with the same body shape.
 */
const dir = tempDir('onnxless-contract-');
const identityPath = writeModel(
  join(dir, 'identity.onnx'),
  encodeModel({
    inputs: [['x', 'float32', ['batch', 'n']]],
    outputs: [['y', 'float32', ['batch', 'n']]],
    nodes: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
  }),
);

type Target = (req: WireRequest) => Promise<WireResponse>;
const targets: Record<string, Target> = {};
let stack: LocalStackProcess;
let serve: Awaited<ReturnType<typeof startTestServer>> | undefined;
let cases: ContractCase[] = [];

beforeAll(async () => {
  const tiny = await InferenceSession.create(EXAMPLE_WEIGHTS.tiny as string);
  cases = contractCases(tiny.outputNames[0] as string);
  await tiny.release();

  const models: ContractModel[] = [...EXAMPLE_MODELS, { name: 'identity', weightsPath: identityPath, version: '1' }];
  targets.handlers = deployedApi(models);

  serve = await startTestServer(
    {
      models: Object.fromEntries(
        models.map((m) => [m.name, { weights: m.weightsPath, version: m.version, ...(m.pipeline ? { pipeline: 'textOrientation' } : {}) }]),
      ),
    },
    { resolvePipeline: getPipeline },
  );
  const servePort = serve.port;
  targets.serve = (req) => sendRaw(servePort, req);

  // The local stack, on a copy of the project's registry with the identity model added.
  stack = await LocalStackProcess.create(join(dir, 'local'));
  const registry = await readRegistryFile(stack.configPath, { env: {} });
  const weights = `s3://${registry.bucket.name}/identity/1/model.onnx`;
  await setModelEntry(stack.configPath, 'identity', { weights });
  await stack.start();
  const s3 = new S3Client({
    endpoint: `http://127.0.0.1:${stack.env.ONNXLESS_LOCAL_S3_PORT}`,
    forcePathStyle: true,
    region: LOCAL_STACK.region,
    credentials: { accessKeyId: LOCAL_STACK.accessKeyId, secretAccessKey: LOCAL_STACK.secretAccessKey },
  });
  const { bucket, key } = parseS3Uri(weights);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(identityPath) }));
  s3.destroy();
  const stackPort = Number(stack.env.ONNXLESS_LOCAL_HTTP_PORT);
  targets['local stack'] = (req) => sendRaw(stackPort, req);
}, 400_000);

afterAll(async () => {
  await serve?.drain(10_000);
  if (!stack) return;
  const code = await stack.stop();
  stack.dispose();
  expect(code).toBe(0);
}, 60_000);

describe('one request list, three ways of serving', () => {
  it('gives every request its status and the same answer shape on the local stack, serve and the handlers', async () => {
    const differences: string[] = [];
    for (const c of cases) {
      const shapes: Record<string, unknown> = {};
      for (const [target, send] of Object.entries(targets)) {
        let res: WireResponse;
        try {
          res = await send(c.request);
        } catch (err) {
          differences.push(`${target}: ${c.name}: ${(err as Error).message}`);
          continue;
        }
        const problem =
          res.status !== c.status
            ? `status ${res.status}, expected ${c.status}: ${res.body.toString('utf8').slice(0, 300)}`
            : checkError(c, res);
        if (problem) differences.push(`${target}: ${c.name}: ${problem}`);
        shapes[target] = answerShape(res);
      }
      const [first, ...rest] = Object.entries(shapes);
      for (const [target, shape] of rest) {
        if (JSON.stringify(shape) !== JSON.stringify(first?.[1])) {
          differences.push(`${c.name}: ${target} answers ${JSON.stringify(shape)}, ${first?.[0]} ${JSON.stringify(first?.[1])}`);
        }
      }
    }
    expect(differences).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(30);
  }, 300_000);

  it("lands every route's path under every other route's prefix on its own route or a 404, on all three", async () => {
    const cases = crossPrefixCases({ model: 'tiny', version: '1', predictModel: 'text-orientation', asset: 'pages.css' });
    const problems: string[] = [];
    for (const [target, send] of Object.entries(targets)) {
      for (const c of cases) {
        const problem = crossPrefixProblem(c, await send(c.request));
        if (problem) problems.push(`${target}: ${c.request.method} ${c.request.path}: ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  }, 300_000);

  it.each(['local stack', 'serve'])(
    "answers Python's http.client as Triton's clients send (%s)",
    async (target) => {
      const port = target === 'serve' ? serve!.port : Number(stack.env.ONNXLESS_LOCAL_HTTP_PORT);
      const out = await python(PY_CLIENTS, String(port));
      expect(out.trim().split('\n')).toEqual(['binary-no-content-type 200 [1.5, -0.0, 3]', 'octet-stream-json 200 [3, 4]']);
    },
    60_000,
  );
});

function checkError(c: ContractCase, res: WireResponse): string | undefined {
  try {
    c.check?.(res);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

// http.client writes exactly the headers it is given (plus Host, Accept-Encoding, Content-Length):
// tritonclient.http's binary request has no Content-Type; tritonclient.http.aio's JSON one is
// application/octet-stream.
const PY_CLIENTS = `
import http.client, json, struct, sys
port = int(sys.argv[1])
def post(body, headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", "/v2/models/identity/infer", body=body, headers=headers)
    res = conn.getresponse()
    data = json.loads(res.read())
    conn.close()
    return res.status, data["outputs"][0]["data"]
head = json.dumps({"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 3], "parameters": {"binary_data_size": 12}}]}).encode()
status, data = post(head + struct.pack("<3f", 1.5, -0.0, 3.0), {"Inference-Header-Content-Length": str(len(head))})
print("binary-no-content-type", status, data)
status, data = post(json.dumps({"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 2], "data": [3, 4]}]}).encode(), {"Content-Type": "application/octet-stream"})
print("octet-stream-json", status, data)
`;

function python(script: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('python3', ['-c', script, ...args], { timeout: 50_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}
