import { characterDictionary } from '../processing/postprocess/characterDictionary';
import type { CompanionFiles } from '../pipeline/CompanionFiles';

/**
 * A recogniser's character list read from its model directory, parsed once per directory (the
 * files are immutable once verified); a failed read is retried on the next request, not cached.
 */
export function dictionaryLoader(fileName: string, pipeline: string): (files: CompanionFiles | undefined) => Promise<string[]> {
  const dictionaries = new WeakMap<CompanionFiles, Promise<string[]>>();
  return (files) => {
    if (!files) return Promise.reject(new Error(`${pipeline} needs the model directory (runner.files) for its dictionary`));
    let dictionary = dictionaries.get(files);
    if (!dictionary) {
      dictionary = files.readText(fileName).then((text) => characterDictionary(text));
      dictionary.catch(() => dictionaries.delete(files));
      dictionaries.set(files, dictionary);
    }
    return dictionary;
  };
}
