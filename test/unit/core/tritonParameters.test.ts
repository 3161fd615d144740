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
});
