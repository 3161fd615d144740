import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStackProcess, ROOT } from '../../support/localStackProcess';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhookReceiver';
import { tempDir } from '../server/helpers';

/**
 * Asynchronous requests on the local stack (`npm start`): the model function stores the job in the
 * stack's S3 server, invokes itself through serverless-offline's Lambda endpoint with an Event
 * invocation, and the run writes the answer there, as on Lambda. The registry is the fixture's,
 * with `jobs:` and two of its models (fewer functions to bundle).
 */
const SPEECH = readFileSync(join(ROOT, 'test/fixtures/audio/speech-in-silence.wav'));

let stack: LocalStackProcess;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await LocalStackProcess.create(join(tempDir('onnxless-jobs-stack-'), 'local'));
  const doc = parseDocument(readFileSync(stack.configPath, 'utf8'));
  const models = doc.getIn(['custom', 'onnxless', 'models']) as { toJSON(): Record<string, unknown> };
  const { tiny, 'voice-activity': vad } = models.toJSON();
  doc.setIn(['custom', 'onnxless', 'models'], { tiny, 'voice-activity': vad });
  doc.setIn(['custom', 'onnxless', 'jobs'], { webhookHosts: [receiver.host] });
  writeFileSync(stack.configPath, doc.toString());
  await stack.start();
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  stack?.dispose();
  await receiver?.close();
});

const post = (path: string, body: Buffer, headers: Record<string, string>) =>
  fetch(`${stack.baseUrl}${path}`, { method: 'POST', body, headers: { 'content-type': 'audio/wav', ...headers } });

async function untilEnded(location: string): Promise<any> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = (await (await fetch(`${stack.baseUrl}${location}`)).json()) as { status: string };
    if (status.status !== 'pending' || Date.now() > deadline) return status;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('asynchronous requests on the local stack', () => {
  it('answers 202, runs the job through the emulator’s Lambda endpoint, and holds the synchronous answer', async () => {
    const sync = await post('/models/voice-activity/predict', SPEECH, {});
    const accepted = await post('/models/voice-activity/predict', SPEECH, {
      prefer: 'respond-async',
      'onnxless-webhook': receiver.url('/local'),
    });
    expect(sync.status).toBe(200);
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    const location = accepted.headers.get('location');
    expect(location).toBe(`/models/voice-activity/jobs/${id}`);

    const status = await untilEnded(location!);
    expect(status).toMatchObject({ id, status: 'succeeded', result: await sync.json() });
    await expect.poll(() => receiver.calls.filter((c) => c.path === '/local').length, { timeout: 10_000 }).toBe(1);
    expect(receiver.calls.find((c) => c.path === '/local')?.body).toEqual(status);
  });

  it('ends a failing input as failed, and answers 404 for an unknown job', async () => {
    const accepted = await post('/models/voice-activity/predict', Buffer.from('RIFF....WAVEjunk'), { prefer: 'respond-async' });
    expect(accepted.status).toBe(202);
    const status = await untilEnded(accepted.headers.get('location')!);
    expect(status).toMatchObject({ status: 'failed', error: expect.stringContaining('WAV') });
    const unknown = await fetch(`${stack.baseUrl}/models/tiny/jobs/0b1f4c4e-8c0a-4d6e-9f3a-2b7c1d5e6f70`);
    expect(unknown.status).toBe(404);
  });
});
