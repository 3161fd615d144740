/**
 * `onnxless/lambda/server`: the server-level routes (GET /v2, /v2/health/*, /openapi.json, /docs,
 * and `$default` for everything no model route matches). No model is loaded here.
 */
import { createServerHandler } from './createServerHandler';

export const handler = createServerHandler();
