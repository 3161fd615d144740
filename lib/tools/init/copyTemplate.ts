import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

/**
 * npm pack leaves every .gitignore and .npmrc out of a package, so the template keeps them under
 * these names and they get their real ones on the way out.
 */
const RENAMED: Readonly<Record<string, string>> = { _gitignore: '.gitignore', _npmrc: '.npmrc' };

const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/**
 * Copies the template folder into `to`, each `{{key}}` replaced by its value. A placeholder with
 * no value is a fault of the template, not of the user: it fails, naming the file and the key.
 * Returns the written files, relative to `to`, `/`-separated.
 */
export async function copyTemplate(from: string, to: string, values: Readonly<Record<string, string>>): Promise<string[]> {
  const written: string[] = [];
  for (const entry of await readdir(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const source = join(entry.parentPath, entry.name);
    const path = relative(from, source).split(sep);
    path.push(RENAMED[path.pop()!] ?? entry.name);
    const target = join(to, ...path);
    const text = (await readFile(source, 'utf8')).replace(PLACEHOLDER, (_, key: string) => {
      const value = values[key];
      if (value === undefined) throw new Error(`template ${source} names {{${key}}}, which init does not fill in`);
      return value;
    });
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
    written.push(path.join('/'));
  }
  return written.sort();
}
