import { describe, expect, it } from 'vitest';
import { UnknownPipelineError, hasDomainRoute, pipelineNameOfHandler, resolveHandlerPipeline } from '../../../lib/core/openapi';
import { DEFAULT_MODEL_HANDLER } from '../../../lib/core/registry';

const pipelines = { textOrientation: 'orientation', voiceActivity: 'vad' };

describe('pipelineNameOfHandler', () => {
  it('turns the kebab-case handler file name into the camelCase pipeline name', () => {
    expect(pipelineNameOfHandler('handlers/text-orientation.handler')).toBe('textOrientation');
    expect(pipelineNameOfHandler('handlers/voice-activity.handler')).toBe('voiceActivity');
  });

  it('ignores the folder and the export name', () => {
    expect(pipelineNameOfHandler('src/models/dense-regression.main')).toBe('denseRegression');
    expect(pipelineNameOfHandler('ocr.handler')).toBe('ocr');
  });
});

describe('hasDomainRoute', () => {
  it('is false for no handler and for the generic tensor handler, true for any other', () => {
    expect(hasDomainRoute(undefined)).toBe(false);
    expect(hasDomainRoute(DEFAULT_MODEL_HANDLER)).toBe(false);
    expect(hasDomainRoute('handlers/text-orientation.handler')).toBe(true);
  });
});

describe('resolveHandlerPipeline', () => {
  it('finds the pipeline named after the handler file', () => {
    const found = resolveHandlerPipeline('orient', 'handlers/text-orientation.handler', pipelines);

    expect(found).toEqual({ name: 'textOrientation', pipeline: 'orientation' });
  });

  it('prefers an explicit handler -> pipeline mapping', () => {
    const found = resolveHandlerPipeline('vad', 'handlers/silero.handler', pipelines, { 'handlers/silero.handler': 'voiceActivity' });

    expect(found).toEqual({ name: 'voiceActivity', pipeline: 'vad' });
  });

  it('fails naming the model, the handler, the pipeline looked for and the declared ones', () => {
    const act = () => resolveHandlerPipeline('ocr', 'handlers/ocr-lines.handler', pipelines);

    expect(act).toThrow(UnknownPipelineError);
    expect(act).toThrow(
      "model 'ocr': handler 'handlers/ocr-lines.handler' maps to pipeline 'ocrLines', which is not declared; declared pipelines: textOrientation, voiceActivity",
    );
  });

  it('does not take inherited object properties for pipelines', () => {
    expect(() => resolveHandlerPipeline('m', 'handlers/to-string.handler', pipelines)).toThrow(UnknownPipelineError);
    expect(() => resolveHandlerPipeline('m', 'handlers/constructor.handler', pipelines)).toThrow(UnknownPipelineError);
  });
});
