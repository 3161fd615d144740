import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/localStackProcess';

/**
 * `serverless.yml` at the project root and `.local/` are the user's: the README's `npm run train`
 * and `onnxless push` edit them. A test that read them would pass or fail with the user's models,
 * so no test names them: tests use test/fixtures/registry/serverless.yml and temp folders.
 */
const USER_FILES = /\b(?:ROOT|root)\b\s*,\s*['"`](?:\.\/)?(?:serverless\.yml|\.local)\b/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : sources(path);
    return /\.(ts|mjs|cjs)$/.test(e.name) ? [path] : [];
  });
}

describe("tests keep off the user's registry and local stack", () => {
  it('no test joins the project root with serverless.yml or .local', () => {
    const self = fileURLToPath(import.meta.url); // its own examples below
    const offenders = sources(join(ROOT, 'test'))
      .filter((file) => file !== self)
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${relative(ROOT, file)}:${i + 1}` }))
          .filter(({ line }) => USER_FILES.test(line))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });

  it('catches the forms a test would use', () => {
    for (const line of [
      "readRegistryFile(path.join(root, 'serverless.yml'))",
      'copyFileSync(join(ROOT, "serverless.yml"), to)',
      "join(ROOT, '.local', 's3')",
    ]) {
      expect(USER_FILES.test(line), line).toBe(true);
    }
    expect(USER_FILES.test("join(serviceDir, 'serverless.yml')")).toBe(false);
  });
});
