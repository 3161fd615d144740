/** The error `fn` throws, to assert on its class, status and message; fails if it returns. */
export function errorOf(fn: () => unknown): Error & { status?: number } {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}
