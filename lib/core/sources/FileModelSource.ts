import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SourceNotFoundError, type ModelSource, type SourceBody, type SourceStat } from './ModelSource';

/** Weights on a local disk (`file://` or a plain path): baked into an image, or a dev machine. */
export class FileModelSource implements ModelSource {
  readonly uri: string;
  readonly description: string;

  constructor(readonly path: string) {
    this.uri = `file://${path}`;
    this.description = path;
  }

  async stat(): Promise<SourceStat> {
    try {
      const s = await stat(this.path);
      if (!s.isFile()) throw new SourceNotFoundError(`${this.path} is not a file`);
      return { size: s.size, version: `${s.size}-${s.mtimeMs}` };
    } catch (err) {
      if (err instanceof SourceNotFoundError) throw err;
      throw new SourceNotFoundError(`model file ${this.path} does not exist or cannot be read`, { cause: err });
    }
  }

  async open(range?: { start: number; end: number }): Promise<SourceBody> {
    const s = await this.stat();
    const stream = createReadStream(this.path, range ? { start: range.start, end: range.end } : {});
    const length = range ? range.end - range.start + 1 : s.size;
    return { stream, length, size: s.size, version: s.version };
  }
}
