// s3rver ships no types; only what the tests and the local stack use.
declare module 's3rver' {
  interface S3rverOptions {
    port?: number;
    address?: string;
    directory: string;
    silent?: boolean;
    configureBuckets?: Array<{ name: string; configs?: Buffer[] }>;
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
    /** The request handler, for a server of the caller's own (s3rver's README: `s3rver.callback()`). */
    callback(): (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
    /** Its filesystem store: the conditional writes in front of it (lib/tools/local/conditionalWrites.ts) read an object's ETag there. */
    readonly store: { getMetadata(bucket: string, key: string): Promise<{ etag: string; 'content-length': number }> };
  }
}
