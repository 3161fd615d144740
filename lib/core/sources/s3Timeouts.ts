/** How long the S3 client waits before it gives up on a connection. */
export interface S3Timeouts {
  /** Connecting (TCP and TLS). */
  connectMs?: number;
  /**
   * A socket with no bytes moving, in either direction, for this long is destroyed: a stalled
   * body then fails (and the download resumes with a ranged GET) instead of hanging until
   * Lambda's timeout. Below 6 s, so the SDK arms it at once instead of 3 s into the request.
   */
  idleMs?: number;
}

export const S3_TIMEOUTS = Object.freeze({ connectMs: 3000, idleMs: 5000 });
