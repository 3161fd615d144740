/**
 * `npm run build:openapi`: the OpenAPI document of the registry in serverless.yml, written to
 * dist/openapi.json. Options: --config <serverless.yml> --out <file> --server <base URL> (repeatable).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ENV, optionalString } from '../lib/core/config/env';
import { openApiJson } from '../lib/core/openapi';
import { pipelines } from '../lib/core/builtins';
import { MULTI_MODEL_PIPELINES } from '../lib/core/builtins/multiModel';
import { readRegistryFile } from '../lib/core/registry';

const root = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: optionalString(ENV.config) ?? 'serverless.yml' },
      out: { type: 'string', default: 'dist/openapi.json' },
      server: { type: 'string', multiple: true, default: [] },
    },
  });
  const registry = await readRegistryFile(path.resolve(root, values.config));
  const text = openApiJson(registry, {
    pipelines: { ...pipelines, ...MULTI_MODEL_PIPELINES },
    servers: values.server.map((url) => ({ url })),
  });
  const out = path.resolve(root, values.out);
  await mkdir(path.dirname(out), { recursive: true });
  // Temp file + rename: a reader (or a concurrent build) never sees half a document.
  const temp = `${out}.${process.pid}.tmp`;
  await writeFile(temp, text, 'utf8');
  await rename(temp, out);
  console.log(out);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
