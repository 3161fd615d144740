import type Sharp from 'sharp';
import { runtimeRequire } from '../../runtimeRequire';

let sharp: typeof Sharp | undefined;

/**
 * sharp, loaded on first use rather than at import: a handler that imports `onnxless/processing`
 * for its JSON or audio steps never needs the native image codec, nor the sharp layer it comes
 * from on Lambda (a top-level import would make its bundle `require('sharp')` at init and fail
 * there). The image pipelines call it when they are created, so their cold start still loads it
 * during Lambda's init phase, as before.
 */
export function loadSharp(): typeof Sharp {
  sharp ??= runtimeRequire('sharp') as typeof Sharp;
  return sharp;
}
