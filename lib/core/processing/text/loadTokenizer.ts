import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';

export interface TokenizerFiles {
  /** Path to a Hugging Face `tokenizer.json`. */
  tokenizerPath: string;
  /** Path to its `tokenizer_config.json` (special tokens, casing); optional. */
  configPath?: string;
}

/** A tokenizer and the two JSON documents it came from (padding/truncation defaults live there). */
export interface LoadedTokenizer {
  tokenizer: Tokenizer;
  json: TokenizerJson;
  config: TokenizerConfig;
}

export interface TokenizerJson {
  padding?: { pad_id?: number; pad_token?: string } | null;
  truncation?: { max_length?: number } | null;
  [key: string]: unknown;
}

export interface TokenizerConfig {
  pad_token?: string | { content?: string } | null;
  model_max_length?: number;
  [key: string]: unknown;
}

/** Builds a tokenizer from already-parsed documents (no I/O, no network). */
export function createTokenizer(json: TokenizerJson, config: TokenizerConfig = {}): LoadedTokenizer {
  return { tokenizer: new Tokenizer(json, config), json, config };
}

/** Reads tokenizer.json (and tokenizer_config.json) from disk, e.g. next to the cached model weights. */
export async function loadTokenizer(files: TokenizerFiles): Promise<LoadedTokenizer> {
  const json = await readJson<TokenizerJson>(files.tokenizerPath, 'tokenizerPath');
  const config = files.configPath === undefined ? {} : await readJson<TokenizerConfig>(files.configPath, 'configPath');
  return createTokenizer(json, config);
}

async function readJson<T>(path: string, setting: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${setting} '${path}': ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${setting} '${path}' is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}
