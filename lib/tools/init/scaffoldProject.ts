import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setModelEntry } from '../../core/registry';
import { inspectModel, modelFilesAt } from '../store/inspectModel';
import { copyTemplate } from './copyTemplate';
import { exampleModelBytes } from './exampleModel';
import { onnxlessDependency } from './onnxlessDependency';
import { packageRoot } from './packageRoot';
import { projectManifest } from './projectManifest';
import { projectName } from './projectName';
import { claimTargetFolder, releaseTargetFolder } from './targetFolder';
import { toolVersions } from './toolVersions';

/** Where the local stack finds a model's files: `models/<model>/`, seeded into its bucket by `onnxless start`. */
export const EXAMPLE_MODEL_DIR = 'models/example';
/** The template's serverless.yml entries on that model's weights directory. */
export const EXAMPLE_MODEL_ENTRIES = ['example', 'example-predict'] as const;

export interface ScaffoldOptions {
  /** The new project's folder: new or empty. */
  dir: string;
  /** `--onnxless`: a version, a folder or a tarball to depend on instead of `^<this version>`. */
  onnxless?: string;
}

export interface Scaffold {
  dir: string;
  name: string;
  /** What package.json names for onnxless. */
  onnxless: string;
  /** Every file written, relative to `dir`. */
  files: string[];
}

/**
 * Writes a new project: the template (templates/project/), its package.json and the example
 * model, pinned in serverless.yml as `onnxless push` would pin it. All or nothing: a failure
 * removes what was written.
 */
export async function scaffoldProject(options: ScaffoldOptions): Promise<Scaffold> {
  const dir = resolve(options.dir);
  const name = projectName(dir);
  const versions = toolVersions();
  const onnxless = onnxlessDependency(options.onnxless, versions.onnxless);
  const claim = await claimTargetFolder(dir);
  try {
    const model = join(dir, EXAMPLE_MODEL_DIR);
    await mkdir(model, { recursive: true });
    await writeFile(join(model, 'model.onnx'), exampleModelBytes());
    const files = await copyTemplate(join(packageRoot(), 'templates', 'project'), dir, { name });
    await writeFile(join(dir, 'package.json'), projectManifest(name, onnxless, versions));
    // The manifest's sha256 and the files' bytes as push computes them (and as the local stack
    // uploads the folder), written by push's own writer: the entries are pinned from the first start.
    const { sha256, size } = await inspectModel((await modelFilesAt(model)).files, EXAMPLE_MODEL_DIR);
    for (const entry of EXAMPLE_MODEL_ENTRIES) {
      await setModelEntry(join(dir, 'serverless.yml'), entry, { sha256, size }, { stage: 'dev', env: {} });
    }
    return { dir, name, onnxless, files: [...files, 'package.json', `${EXAMPLE_MODEL_DIR}/model.onnx`].sort() };
  } catch (err) {
    await releaseTargetFolder(dir, claim);
    throw err;
  }
}
