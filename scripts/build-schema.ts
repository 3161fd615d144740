/**
 * Writes schema.json, the JSON Schema of a serverless.yml using onnxless, from the registry's zod
 * schema (lib/core/registry/jsonSchema.ts). Editors read it through the YAML language server:
 * `# yaml-language-server: $schema=./node_modules/onnxless/schema.json` at the top of serverless.yml.
 * The file ships in the package, so it is committed; `--check`: fail when it is missing or stale.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { serverlessYmlJsonSchema } from '../lib/core/registry/jsonSchema';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'schema.json');

// Formatted as the tree's other files are, so a formatting pass over the tree leaves it current.
const text = await format(JSON.stringify(serverlessYmlJsonSchema()), { ...(await resolveConfig(OUT)), filepath: OUT });
const current = existsSync(OUT) ? readFileSync(OUT, 'utf8') : undefined;
if (process.argv.includes('--check')) {
  if (current !== text) {
    console.error(`${OUT} is ${current === undefined ? 'missing' : 'stale'}: run npm run build:schema`);
    process.exit(1);
  }
} else if (current !== text) {
  writeFileSync(OUT, text);
  console.log(`schema: ${(text.length / 1024).toFixed(0)} KiB in schema.json`);
}
