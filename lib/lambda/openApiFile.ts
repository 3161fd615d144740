import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ENV, optionalString, type Env } from '../core/config/env';

/**
 * The OpenAPI document the deploy plugin writes and ships in the server function's package
 * (`ONNXLESS_OPENAPI_FILE`, relative to the task root on Lambda, to the project locally).
 * Read once, on the first request that asks for it.
 */
export function openApiFromPackage(env: Env = process.env): () => string | undefined {
  const file = optionalString(ENV.openApiFile, env);
  let document: string | undefined;
  let read = false;
  return () => {
    if (read || file === undefined) return document;
    read = true;
    const roots = isAbsolute(file) ? [''] : [optionalString(ENV.taskRoot, env), process.cwd()].filter((r): r is string => !!r);
    for (const root of roots) {
      try {
        document = readFileSync(join(root, file), 'utf8');
        break;
      } catch {
        // not under this root: try the next
      }
    }
    return document;
  };
}
