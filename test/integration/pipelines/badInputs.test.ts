import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { OnnxlessError } from '../../../lib/core/errors';
import type { PredictRequest } from '../../../lib/core/pipeline/Pipeline';
import { PIPELINE_NAMES, createTextRecognition, getPipeline, pipelines } from '../../../lib/core/builtins';
import { pngClaiming } from '../../unit/processing/pngBomb';
import { refusingRunner } from './capturingRunner';
import { SPEECH_WAV } from './models';

const req = (contentType: string, body: Buffer | string, query: Record<string, string> = {}): PredictRequest => ({
  contentType,
  body: Buffer.from(body),
  query,
});

async function failure(name: keyof typeof pipelines, request: PredictRequest) {
  const runner = refusingRunner();
  try {
    await pipelines[name].predict(request, runner);
  } catch (err) {
    return { error: err as OnnxlessError, modelCalls: runner.calls };
  }
  throw new Error(`${name} accepted a request it should refuse`);
}

const imagePipelines = ['textRecognition', 'textOrientation'] as const;

describe.each(imagePipelines)('%s refuses bad input before running the model', (name) => {
  it('answers 400 saying why for an undecodable image', async () => {
    const { error, modelCalls } = await failure(name, req('image/png', 'this is not a png'));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/image could not be read: .+/);
    expect(modelCalls).toBe(0);
  });

  it('answers 415 listing the accepted types for another media type', async () => {
    const { error } = await failure(name, req('image/gif', 'GIF89a'));
    expect(error.status).toBe(415);
    expect(error.message).toBe("unsupported content type 'image/gif'; accepted: image/png, image/jpeg, image/webp, application/json");
  });

  it('answers 413 for a tiny PNG whose header claims 100000x100000 pixels, without decoding it', async () => {
    const started = performance.now();
    const { error, modelCalls } = await failure(name, req('image/png', pngClaiming(100_000, 100_000)));
    expect(error.status).toBe(413);
    expect(error.message).toContain('declares 100000x100000');
    expect(modelCalls).toBe(0);
    expect(performance.now() - started).toBeLessThan(1000); // decoding 30 GB would not be this quick
  });

  it('answers 400 naming the field for wrong JSON', async () => {
    const { error } = await failure(name, req('application/json', JSON.stringify({ picture: 'aGVsbG8=' })));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^field 'image': /);
    const notBase64 = await failure(name, req('application/json', JSON.stringify({ image: 42 })));
    expect(notBase64.error.message).toMatch(/^field 'image': expected a base64 string/);
  });
});

describe('voiceActivity refuses bad input before running the model', () => {
  it('answers 400 saying why for a broken WAV', async () => {
    const { error, modelCalls } = await failure('voiceActivity', req('audio/wav', 'RIFF....WAVEjunk'));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^invalid WAV: .+/);
    expect(modelCalls).toBe(0);
  });

  it('answers 400 for a WAV cut off before its data', async () => {
    const { error } = await failure('voiceActivity', req('audio/wav', readFileSync(SPEECH_WAV).subarray(0, 30)));
    expect(error.status).toBe(400);
  });

  it('answers 415 listing the accepted types for MP3', async () => {
    const { error } = await failure('voiceActivity', req('audio/mpeg', 'ID3'));
    expect(error.status).toBe(415);
    expect(error.message).toContain('accepted: audio/wav, audio/x-wav, audio/wave, application/json');
  });

  it('answers 400 naming the field for wrong JSON and the parameter for a wrong query', async () => {
    const json = await failure('voiceActivity', req('application/json', JSON.stringify({ audio: ['not', 'base64'] })));
    expect(json.error.status).toBe(400);
    expect(json.error.message).toMatch(/^field 'audio': /);
    const query = await failure('voiceActivity', req('audio/wav', readFileSync(SPEECH_WAV), { threshold: '2' }));
    expect(query.error.status).toBe(400);
    expect(query.error.message).toMatch(/^query parameter 'threshold': /);
  });
});

describe('the pipelines table', () => {
  it('is frozen and lists the example pipelines with their media types, description and result schema', () => {
    expect(Object.isFrozen(pipelines)).toBe(true);
    expect([...PIPELINE_NAMES].sort()).toEqual(['denseRegression', 'textEmbedding', 'textOrientation', 'textRecognition', 'voiceActivity']);
    for (const name of PIPELINE_NAMES) {
      const pipeline = getPipeline(name);
      expect(pipeline.accepts).toContain('application/json');
      expect(pipeline.description.length).toBeGreaterThan(20);
      expect(pipeline.resultSchema).toMatchObject({ type: 'object' });
    }
  });

  it('fails for an unknown name, listing the valid ones', () => {
    expect(() => getPipeline('ocr')).toThrow("unknown pipeline 'ocr'; valid pipelines: textOrientation, textRecognition, voiceActivity");
    expect(() => getPipeline('toString')).toThrow(/unknown pipeline/);
  });

  it('takes a per-pipeline pixel bound', async () => {
    const small = createTextRecognition({ maxPixels: 100 });
    const runner = refusingRunner();
    await expect(small.predict(req('image/png', pngClaiming(11, 10)), runner)).rejects.toMatchObject({ status: 413 });
  });
});
