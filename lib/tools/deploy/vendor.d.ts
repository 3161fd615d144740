// Minimal types for the zip libraries the layer build and its tests use (neither ships types).
declare module 'yazl' {
  import type { Readable } from 'node:stream';
  export interface EntryOptions {
    mtime?: Date;
    mode?: number;
    compress?: boolean;
    compressionLevel?: number;
    size?: number;
  }
  export class ZipFile {
    readonly outputStream: Readable;
    addFile(realPath: string, metadataPath: string, options?: EntryOptions): void;
    addBuffer(buffer: Buffer, metadataPath: string, options?: EntryOptions): void;
    addEmptyDirectory(metadataPath: string, options?: EntryOptions): void;
    end(options?: { forceZip64Format?: boolean }, callback?: (finalSize: number) => void): void;
  }
}

declare module 'yauzl' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';
  export interface Entry {
    fileName: string;
    uncompressedSize: number;
    compressedSize: number;
    externalFileAttributes: number;
  }
  export interface ZipFile extends EventEmitter {
    readonly entryCount: number;
    readEntry(): void;
    openReadStream(entry: Entry, callback: (err: Error | null, stream: Readable) => void): void;
    close(): void;
  }
  export function open(
    path: string,
    options: { lazyEntries?: boolean; autoClose?: boolean },
    callback: (err: Error | null, zipfile: ZipFile) => void,
  ): void;
}
