import type { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from './metricNames';

/**
 * X-Ray subsegments around the slow parts of a cold start and a request (S3 download, session
 * creation, load, preprocess, inference, postprocess), through Powertools Tracer.
 *
 * The Tracer and the X-Ray SDK cost about 50-85 ms of module evaluation (measured on the 2-core
 * CI box, bundled and minified: 125 KB), so they are imported only where tracing is on: inside
 * Lambda (AWS_EXECUTION_ENV set) unless POWERTOOLS_TRACE_ENABLED=false, the Tracer's own rule.
 * Locally (serverless-offline sets no AWS_EXECUTION_ENV) and in tests the module is never
 * evaluated, and every span is a direct call. `startTracing()` at init moves the import into
 * Lambda's init phase, alongside an eager model load.
 */

export type SpanFigures = Record<string, string | number | boolean>;

type Env = Readonly<Record<string, string | undefined>>;

/** Tracer.setTracingEnabled's conditions, read without loading the Tracer. */
export function tracingWanted(env: Env = process.env): boolean {
  return (
    (env.AWS_EXECUTION_ENV ?? '') !== '' &&
    env.AWS_EXECUTION_ENV !== 'AWS_Lambda_amplify-mock' &&
    (env.AWS_SAM_LOCAL ?? '') === '' &&
    env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false'
  );
}

let loading: Promise<Tracer | undefined> | undefined;
let loaded: Tracer | undefined;

/** Loads the Tracer once, where tracing is wanted; resolves undefined elsewhere. Never rejects. */
export function startTracing(env: Env = process.env): Promise<Tracer | undefined> {
  if (!tracingWanted(env)) return Promise.resolve(undefined);
  loading ??= import('@aws-lambda-powertools/tracer')
    .then(({ Tracer }) => {
      // The S3 client's own HTTP calls stay out: a ranged download would make one subsegment per part.
      const tracer = new Tracer({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME, captureHTTPsRequests: false });
      loaded = tracer.isTracingEnabled() ? tracer : undefined;
      return loaded;
    })
    .catch(() => undefined);
  return loading;
}

/**
 * Runs `fn` in a subsegment `name` of the current invocation's trace, annotated with `figures`
 * of its result (X-Ray annotations are indexed: searchable in trace filters). Without tracing, or
 * outside an invocation (Lambda's init phase has no trace), it is `fn()`.
 */
export async function traced<T>(name: string, fn: () => Promise<T> | T, figures?: (result: T) => SpanFigures): Promise<T> {
  const tracer = tracingWanted() ? await startTracing() : undefined;
  if (!tracer?.getSegment()) return fn();
  return tracer.provider.captureAsyncFunc(name, async (subsegment) => {
    try {
      const result = await fn();
      annotate(subsegment, figures?.(result));
      return result;
    } catch (err) {
      subsegment?.addError(err as Error);
      throw err;
    } finally {
      subsegment?.close();
    }
  }) as Promise<T>;
}

/** `traced` for synchronous work; traced only once the Tracer has loaded (it has, by the first request). */
export function tracedSync<T>(name: string, fn: () => T): T {
  if (!loaded?.getSegment()) return fn();
  // captureFunc closes the subsegment itself, with the error when `fn` throws.
  return loaded.provider.captureFunc(name, () => fn()) as T;
}

function annotate(subsegment: { addAnnotation(key: string, value: string | number | boolean): void } | undefined, figures: SpanFigures | undefined): void {
  for (const [key, value] of Object.entries(figures ?? {})) subsegment?.addAnnotation(key, value);
}
