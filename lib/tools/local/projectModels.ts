import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { modelFilesAt, type ModelFileSource } from '../store/inspectModel';
import { EXAMPLE_MODELS } from './exampleWeights';

/** The project folder whose subfolders the local stack seeds: `models/<model>/model.onnx` (+ companions). */
export const PROJECT_MODELS_DIR = 'models';

/**
 * What the local stack may push for each model the bucket lacks: every `models/<model>/` folder
 * of the project (what `onnxless init` scaffolds), then the examples onnxless's own repository
 * seeds from npm packages it installs for development, when they are installed.
 */
export async function projectModelSources(projectDir: string): Promise<Record<string, readonly ModelFileSource[]>> {
  const found: Array<[string, readonly ModelFileSource[]]> = Object.entries(EXAMPLE_MODELS).filter(([, files]) =>
    files.every((f) => existsSync(f.from)),
  );
  const dir = path.join(projectDir, PROJECT_MODELS_DIR);
  if (existsSync(dir)) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) found.push([entry.name, (await modelFilesAt(path.join(dir, entry.name))).files]);
    }
  }
  // fromEntries makes each folder an own key: `models/__proto__/` is a folder, never the prototype.
  return Object.fromEntries(found);
}
