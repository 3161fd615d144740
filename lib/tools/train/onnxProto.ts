import { createRequire } from 'node:module';
import type * as OnnxProto from 'onnx-proto';

/**
 * The ONNX protobuf classes. onnx-proto is CommonJS and assigns its exports in a way Node's
 * ESM loader cannot detect, so `import { onnx } from 'onnx-proto'` fails under `npx onnxless`
 * (tsx, native ESM) even though bundlers accept it; requiring it works everywhere.
 */
export const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof OnnxProto;
