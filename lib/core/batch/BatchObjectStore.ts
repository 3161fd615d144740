/** An input object as read. */
export interface BatchObject {
  body: Buffer;
  etag: string;
  /** The Content-Type S3 stored with it. */
  contentType?: string;
}

/**
 * The S3 calls a batch makes: read an input, ask which input an existing answer was made from,
 * write an answer. Missing objects are errors whose `$metadata.httpStatusCode` is 404, as the
 * SDK's are.
 */
export interface BatchObjectStore {
  read(bucket: string, key: string): Promise<BatchObject>;
  /** The input ETag (bare) the answer at `key` records; undefined when there is no answer there. */
  recordedInputEtag(bucket: string, key: string): Promise<string | undefined>;
  /** Writes an answer, recording the ETag of the input it was made from. */
  write(bucket: string, key: string, body: string | Buffer, inputEtag: string): Promise<void>;
}

/**
 * The user-metadata name (`x-amz-meta-...`) under which an answer records its input's ETag: a
 * rerun compares it with the listed ETag and skips the item when they agree. Metadata, not a field
 * of the body, so the body stays exactly what the HTTP route answers.
 */
export const INPUT_ETAG_METADATA = 'onnxless-input-etag';
