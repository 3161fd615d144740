import { basename, resolve } from 'node:path';

/**
 * The project's name, from its folder: its npm package name, its serverless service and the start
 * of its bucket name (`<name>-models-<stage>`). 30 characters at most, so the bucket stays within
 * S3's 63 and each function `<name>-<stage>-<model>` within Lambda's 64.
 */
const PROJECT_NAME = /^[a-z][a-z0-9-]{0,28}[a-z0-9]$/;

export function projectName(dir: string): string {
  const folder = basename(resolve(dir));
  const name = folder
    .normalize('NFKD') // Ü -> U + a combining mark, dropped below: `Über` names `uber`
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!PROJECT_NAME.test(name)) {
    throw new Error(
      `cannot name a project after the folder '${folder}': use 2-30 letters, digits or hyphens, starting with a letter (it names the service, its bucket and its functions)`,
    );
  }
  return name;
}
