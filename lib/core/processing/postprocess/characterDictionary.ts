import { readFile } from 'node:fs/promises';

export interface CharacterDictionaryOptions {
  /** Append ' ' as the last class, as PaddleOCR does with `use_space_char: true` (default true). */
  useSpaceChar?: boolean;
}

/**
 * The CTC classes of a PaddleOCR recogniser: index 0 is the blank, then one character per line
 * of the dictionary file (ppocr_keys_v1.txt: 6623 lines), then the space: 6625 classes.
 */
export function characterDictionary(text: string, options: CharacterDictionaryOptions = {}): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop(); // a trailing newline is not an empty character
  return ['', ...lines, ...((options.useSpaceChar ?? true) ? [' '] : [])];
}

export async function loadCharacterDictionary(path: string, options: CharacterDictionaryOptions = {}): Promise<string[]> {
  return characterDictionary(await readFile(path, 'utf8'), options);
}
