import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, parseDocument, type Document } from 'yaml';
import type { Env } from '../config/env';
import { RegistryError } from './errors';
import { parseRegistry } from './parse';
import { MODEL_FIELDS, type ModelEntryInput, type Registry } from './schema';
import { resolveVariables, type VariableContext } from './variables';

/** Where the registry lives inside serverless.yml. */
export const REGISTRY_PATH = ['custom', 'onnxless'] as const;

export interface ReadOptions {
  /** Stage for `${sls:stage}` / `${opt:stage}`; default: provider.stage, else 'dev' (the framework's default). */
  stage?: string;
  env?: Env;
}

/** Reads and validates the registry of a serverless.yml file, resolving the simple variables it uses. */
export async function readRegistryFile(file: string, options: ReadOptions = {}): Promise<Registry> {
  return readRegistryText(await readFile(file, 'utf8'), { ...options, source: path.basename(file) });
}

export function readRegistryText(text: string, options: ReadOptions & { source?: string } = {}): Registry {
  const source = registrySource(options.source);
  const config = parseYaml(text, source).toJS() as Record<string, unknown> | null;
  if (config === null || typeof config !== 'object') throw new RegistryError(['the file is empty'], { source });
  const provider = config.provider as { stage?: unknown } | undefined;
  const ctx: VariableContext = {
    stage: options.stage ?? (typeof provider?.stage === 'string' && !provider.stage.includes('${') ? provider.stage : 'dev'),
    env: options.env ?? process.env,
  };
  const raw = (config.custom as Record<string, unknown> | undefined)?.onnxless;
  return parseRegistry(
    inFile(source, () => resolveVariables(config, raw, ctx, 'custom.onnxless')),
    { source },
  );
}

/** `custom.onnxless in serverless.yml`: where every RegistryError of a file says it is. */
function registrySource(file = 'serverless.yml'): string {
  return `custom.onnxless in ${file}`;
}

/** Runs `read`, giving a RegistryError it throws the file's name (the variable resolver knows only the place). */
function inFile<T>(source: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof RegistryError) throw new RegistryError(err.problems, { source, cause: err });
    throw err;
  }
}

/**
 * A change to one model entry: a value sets the field, `null` removes it, a missing key leaves it.
 * `weights` is required when the entry is new.
 */
export type ModelEntryPatch = { [K in keyof ModelEntryInput]?: ModelEntryInput[K] | null };

/**
 * Adds or updates one model entry in serverless.yml text, leaving every comment, every other
 * entry and the rest of the file as they were. The result is validated (variables resolved as
 * in readRegistryText) before it is returned, so a bad patch never reaches the file.
 */
export function setModelEntryText(
  text: string,
  name: string,
  patch: ModelEntryPatch,
  options: ReadOptions & { source?: string } = {},
): string {
  const source = registrySource(options.source);
  const doc = parseYaml(text, source);
  const entryPath = [...REGISTRY_PATH, 'models', name];
  const existing = doc.getIn(entryPath, true);
  if (existing !== undefined && !isMap(existing)) {
    throw new RegistryError([`model '${name}': expected a mapping of fields`], { source });
  }
  if (existing === undefined && (patch.weights === undefined || patch.weights === null)) {
    throw new RegistryError([`model '${name}': weights: required for a new model`], { source });
  }
  // Known fields in schema order, so new entries read alike; unknown keys still reach validation.
  const keys = [...MODEL_FIELDS.filter((f) => f in patch), ...Object.keys(patch).filter((k) => !MODEL_FIELDS.includes(k as never))];
  for (const key of keys) {
    const value = (patch as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (value === null) doc.deleteIn([...entryPath, key]);
    else doc.setIn([...entryPath, key], value);
  }
  // `[sharp]` stays `[sharp]`: the yaml library pads flow collections by default.
  const next = doc.toString({ flowCollectionPadding: false });
  readRegistryText(next, options);
  return next;
}

/** Reads, patches and atomically rewrites (temp file + rename) one model entry of a serverless.yml. */
export async function setModelEntry(file: string, name: string, patch: ModelEntryPatch, options: ReadOptions = {}): Promise<void> {
  const next = setModelEntryText(await readFile(file, 'utf8'), name, patch, { ...options, source: path.basename(file) });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  await writeFile(temp, next, 'utf8');
  await rename(temp, file);
}

/** Removes one model entry; comments elsewhere stay. */
export function removeModelEntryText(text: string, name: string): string {
  const doc = parseYaml(text, 'serverless.yml');
  if (!doc.deleteIn([...REGISTRY_PATH, 'models', name])) {
    throw new RegistryError([`model '${name}': not in the registry`]);
  }
  return doc.toString({ flowCollectionPadding: false });
}

function parseYaml(text: string, source: string): Document {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) {
    throw new RegistryError(
      doc.errors.map((e) => `YAML: ${e.message}`),
      { source },
    );
  }
  return doc;
}
