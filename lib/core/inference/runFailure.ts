import { BadRequestError, OnnxlessError } from '../errors';

// onnxruntime faults that are not the caller's doing: memory exhausted, the runtime's own
// internal errors (status codes FAIL, RUNTIME_EXCEPTION, EP_FAIL, ENGINE_ERROR), a broken model.
const RUNTIME_FAULT =
  /bad_alloc|fail(?:ed)? to allocate|out of memory|\bOOM\b|RUNTIME_EXCEPTION|EP_FAIL|ENGINE_ERROR|NOT_IMPLEMENTED|INVALID_GRAPH|MODEL_LOADED|internal error/i;
// Refusals of the inputs themselves: onnxruntime's feed validation, or an operator failing on the
// values given (a Reshape or Gather that the input's shape or indices make impossible).
// (onnxruntime-node's own conversion refuses a dimension past 2^32 - 1: `Tensor.dims[0] is invalid`, found by test/fuzz.)
const INPUT_FAULT =
  /Tensor\.dims\[\d+\] is invalid|invalid dimensions|invalid rank|unexpected input data type|invalid (?:feed )?input|INVALID_ARGUMENT|Non-zero status code returned while running/i;

/**
 * A `session.run` failure -> its status. The caller's inputs that onnxruntime refuses are a 400
 * with onnxruntime's reason cut free of node names and source paths; anything else (out of
 * memory, an internal fault, an error of unknown kind) is a 500 whose details stay in the log.
 */
export function runFailure(model: string, err: unknown): OnnxlessError {
  // A runner that already decided the status (the container server's queue: 429, 503) keeps it.
  if (err instanceof OnnxlessError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (!RUNTIME_FAULT.test(message) && INPUT_FAULT.test(message)) {
    return new BadRequestError(`model '${model}' cannot run on these inputs: ${inputReason(message)}`, { cause: err });
  }
  return new OnnxlessError(500, `onnxruntime failed while running model '${model}'; the cause is in the log`, { cause: err, expose: true });
}

/** onnxruntime's reason without the parts that describe the model's insides rather than the input. */
export function inputReason(message: string): string {
  const status = /Status Message:\s*([\s\S]*)$/.exec(message)?.[1] ?? message;
  const reason = status
    .replace(/\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*/g, '')
    .replace(/(?:[A-Za-z]:)?(?:\/[\w.@+-]+)+\.(?:cc|cpp|h|hpp|c)(?::\d+)?\s*/g, '')
    // C++ signatures of onnxruntime's internals: `void onnxruntime::BroadcastIterator::Init(ptrdiff_t, ptrdiff_t)`.
    .replace(/(?:\b[\w<>*&]+\s+)?\b\w+(?:::[\w~]+)+\([^)]*\)\s*(?:const\s*)?/g, '')
    .replace(/\bnode\s*\.?\s*Name:\s*'[^']*'/gi, 'an operator')
    .replace(/Name:\s*'[^']*'/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return reason.length > 300 ? `${reason.slice(0, 300)}...` : reason || 'onnxruntime refused them';
}
