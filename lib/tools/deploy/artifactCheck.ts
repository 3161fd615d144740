import { open, type ZipFile } from 'yauzl';

/** The file names inside a zip (its central directory; nothing is extracted). */
export function zipEntryNames(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    open(file, { lazyEntries: true, autoClose: true }, (err, zip: ZipFile) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on('entry', (entry: { fileName: string }) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.once('end', () => resolve(names));
      zip.once('error', reject);
      zip.readEntry();
    });
  });
}

/**
 * Why a function's packaged zip cannot run, or undefined when it holds its handler's bundle. A
 * bundler misconfigured (a wrong key in `custom.esbuild`, a handler it skipped) still reports
 * "Service packaged", with a zip of a few bytes that Lambda would reject at the first call.
 */
export async function artifactProblem(key: string, zipFile: string, bundle: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await zipEntryNames(zipFile);
  } catch (err) {
    return `function ${key}: cannot read ${zipFile}: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (names.length === 0)
    return `function ${key}: its zip ${zipFile} is empty; check custom.esbuild in serverless.yml (outputFileExtension, format) and that serverless-esbuild is listed after onnxless under plugins`;
  if (!names.includes(bundle)) {
    return `function ${key}: its zip ${zipFile} lacks ${bundle}, the handler Lambda will load (it holds ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}); check custom.esbuild in serverless.yml`;
  }
  return undefined;
}
