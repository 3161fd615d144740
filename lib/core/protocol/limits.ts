/** Defaults sized for Lambda: a synchronous invoke carries at most 6 MB each way. */
export interface ProtocolLimits {
  /** Largest request body in bytes, after base64 decoding. */
  maxBodyBytes: number;
  /** Largest element count of one tensor: a claim above it is refused before any allocation. */
  maxTensorElements: number;
}

export const DEFAULT_LIMITS: ProtocolLimits = Object.freeze({
  maxBodyBytes: 6 * 1024 * 1024,
  maxTensorElements: 64 * 1024 * 1024,
});
