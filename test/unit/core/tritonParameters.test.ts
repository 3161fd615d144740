import { describe, expect, it } from 'vitest';
import { parseInferRequest } from '../../../lib/core/protocol/inferRequest';

/** Triton's request parameters as tritonclient sends them: read where onnxless has the extension, refused where it has not. */
describe("Triton's request parameters", () => {
  const input = { name: 'x', datatype: 'FP32', shape: [1], data: [1] };

  it('reads an output\'s "classification" as class_count, keeping class_count itself', () => {
    const request = parseInferRequest({ inputs: [input], outputs: [{ name: 'y', parameters: { classification: 3, binary_data: true } }] });
    expect(request.outputs?.[0]?.parameters).toEqual({ classification: 3, class_count: 3, binary_data: true });
    const own = parseInferRequest({ inputs: [input], outputs: [{ name: 'y', parameters: { class_count: 2 } }] });
    expect(own.outputs?.[0]?.parameters).toEqual({ class_count: 2 });
  });

  it('refuses shared memory (tritonclient set_shared_memory) on an output or an input with a 400 naming it, never answering the data elsewhere', () => {
    const region = { shared_memory_region: 'out0', shared_memory_byte_size: 4, binary_data: false };
    expect(() => parseInferRequest({ inputs: [input], outputs: [{ name: 'y', parameters: region }] })).toThrow(
      expect.objectContaining({
        status: 400,
        message: expect.stringMatching(/^output 'y': shared_memory_region .*shared-memory extension/),
      }),
    );
    const shmInput = { name: 'x', datatype: 'FP32', shape: [1], parameters: { shared_memory_region: 'in0', shared_memory_byte_size: 4 } };
    expect(() => parseInferRequest({ inputs: [shmInput] })).toThrow(
      expect.objectContaining({ status: 400, message: expect.stringMatching(/^input 'x': shared_memory_region/) }),
    );
  });

  it("refuses sequence_id (Triton's sequence batching) with a 400 naming it, and takes 0, tritonclient's no-sequence", () => {
    // tritonclient's infer(..., sequence_id=7, sequence_start=True): parameters sequence_id, sequence_start, sequence_end
    const inSequence = { sequence_id: 7, sequence_start: true, sequence_end: false };
    expect(() => parseInferRequest({ inputs: [input], parameters: inSequence })).toThrow(
      expect.objectContaining({
        status: 400,
        message: expect.stringMatching(/^parameter sequence_id asks for Triton's sequence batching/),
      }),
    );
    expect(() => parseInferRequest({ inputs: [input], parameters: { sequence_id: 'stream-1' } })).toThrow(/sequence_id/);
    expect(() => parseInferRequest({ inputs: [input], parameters: { sequence_end: true } })).toThrow(/sequence_id/);
    expect(parseInferRequest({ inputs: [input], parameters: { sequence_id: 0 } }).parameters).toEqual({ sequence_id: 0 });
  });

  it('takes timeout (microseconds) and priority as whole numbers >= 0, and refuses anything else naming the parameter', () => {
    expect(parseInferRequest({ inputs: [input], parameters: { timeout: 250_000, priority: 1 } }).parameters).toEqual({
      timeout: 250_000,
      priority: 1,
    });
    for (const [parameters, message] of [
      [{ timeout: -1 }, 'parameter timeout must be a whole number >= 0 (microseconds), got -1'],
      [{ timeout: '100' }, 'parameter timeout must be a whole number >= 0 (microseconds), got "100"'],
      [{ timeout: 1.5 }, 'parameter timeout must be a whole number >= 0 (microseconds), got 1.5'],
      [{ priority: true }, 'parameter priority must be a whole number >= 0, got true'],
    ] as const) {
      expect(() => parseInferRequest({ inputs: [input], parameters }), JSON.stringify(parameters)).toThrow(
        expect.objectContaining({ status: 400, message }),
      );
    }
  });
});
