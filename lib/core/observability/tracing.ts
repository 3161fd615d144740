import { randomBytes } from 'node:crypto';
import { getXrayTraceDataFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { ENV, optionalString, type Env } from '../config/env';
import { XRayDaemon, type SubsegmentDocument } from './xrayDaemon';

/**
 * X-Ray subsegments around the slow parts of a cold start and a request (S3 download, session
 * creation, load, preprocess, inference, postprocess), each sent to the X-Ray daemon Lambda runs
 * when it closes, under the invocation's segment (Lambda's `_X_AMZN_TRACE_ID`: Root, Parent,
 * Sampled), a load's downloads and session creation under the load.
 *
 * Written here rather than through Powertools Tracer: the Tracer is built on the X-Ray SDK for
 * Node, in maintenance mode since 2026-02-25 and out of support from 2027-02-25
 * (https://docs.aws.amazon.com/xray/latest/devguide/xray-daemon-eos.html), and it cost the deployed
 * functions module evaluation at init and cls-hooked's async hooks on every `await` (measured in
 * `npm run bench -- --scenario cold-start`; docs/benchmarks.md, "Figures behind the code"). What is needed is small: ids,
 * times, the daemon's documented UDP protocol (xrayDaemon.ts). A span that others hang off is
 * handed to them as `parent`, not kept in an async context: Node 22's AsyncLocalStorage, once
 * used, hooks every promise of the process (a multiple of an `await`'s cost, measured), for the
 * sandbox's lifetime. Powertools commons still reads the trace header (also from the runtime's
 * per-invocation store where invocations run concurrently).
 *
 * Tracing is on inside Lambda (AWS_EXECUTION_ENV set) unless POWERTOOLS_TRACE_ENABLED=false,
 * the rule Powertools Tracer applied, kept so deployments that set it keep working. Locally
 * (serverless-offline sets no AWS_EXECUTION_ENV) and in tests, every span is a direct call.
 */

export type SpanFigures = Record<string, string | number | boolean>;

/** What a span hangs off: the invocation's segment, or an enclosing subsegment. */
export interface SpanParent {
  traceId: string;
  id: string;
}

/** Whether tracing is on: inside Lambda, not SAM local or the Amplify mock, not turned off. */
export function tracingWanted(env: Env = process.env): boolean {
  const executionEnv = optionalString(ENV.executionEnv, env);
  return (
    executionEnv !== undefined &&
    executionEnv !== 'AWS_Lambda_amplify-mock' &&
    optionalString(ENV.samLocal, env) === undefined &&
    optionalString(ENV.traceEnabled, env)?.toLowerCase() !== 'false'
  );
}

/** Where spans go once tracing is set up; unset, every span is a direct call. */
let daemon: XRayDaemon | undefined;

/**
 * Sets tracing up once, where it is wanted; undefined elsewhere. Called at handler creation, in
 * Lambda's init phase, where node:dgram and its socket cost a few milliseconds (docs/benchmarks.md, "Figures behind the code").
 */
export function startTracing(env: Env = process.env): XRayDaemon | undefined {
  if (!tracingWanted(env)) return undefined;
  daemon ??= new XRayDaemon(optionalString(ENV.xrayDaemonAddress, env));
  return daemon;
}

/**
 * Runs `fn` in a subsegment `name` of `parent` (default: the invocation's segment), annotated
 * with `figures` of its result (X-Ray annotations are indexed: searchable in trace filters).
 * `fn` gets the subsegment, to hand to spans nested in it. Outside a sampled invocation
 * (tracing off, Lambda's init phase, Sampled=0), it is `fn(undefined)`.
 */
export async function traced<T>(
  name: string,
  fn: (span: SpanParent | undefined) => Promise<T> | T,
  figures?: (result: T) => SpanFigures,
  parent?: SpanParent,
): Promise<T> {
  const span = open(name, parent);
  if (!span) return fn(undefined);
  try {
    const result = await fn(span.self);
    close(span, { annotations: figures?.(result) });
    return result;
  } catch (err) {
    close(span, { error: err });
    throw err;
  }
}

/** `traced` for synchronous work, under the invocation's segment. */
export function tracedSync<T>(name: string, fn: () => T): T {
  const span = open(name);
  if (!span) return fn();
  try {
    const result = fn();
    close(span, {});
    return result;
  } catch (err) {
    close(span, { error: err });
    throw err;
  }
}

interface OpenSpan {
  daemon: XRayDaemon;
  name: string;
  /** This span, as the parent of the spans nested in it. */
  self: SpanParent;
  parentId: string;
  startTime: number;
}

function open(name: string, parent?: SpanParent): OpenSpan | undefined {
  if (!daemon) return undefined;
  const enclosing = parent ?? invocationSegment();
  if (!enclosing) return undefined;
  return { daemon, name, self: { traceId: enclosing.traceId, id: newId() }, parentId: enclosing.id, startTime: Date.now() / 1000 };
}

function close(span: OpenSpan, outcome: { annotations?: SpanFigures; error?: unknown }): void {
  const doc: SubsegmentDocument = {
    type: 'subsegment',
    name: span.name,
    id: span.self.id,
    trace_id: span.self.traceId,
    parent_id: span.parentId,
    start_time: span.startTime,
    end_time: Date.now() / 1000,
  };
  if (outcome.annotations && Object.keys(outcome.annotations).length > 0) doc.annotations = outcome.annotations;
  if (outcome.error !== undefined) {
    const error = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
    doc.fault = true;
    doc.cause = { exceptions: [{ id: newId(), type: error.name, message: error.message }] };
  }
  span.daemon.send(doc);
}

/** The invocation's own segment, when this invocation is traced and sampled. */
function invocationSegment(): SpanParent | undefined {
  const header = getXrayTraceDataFromEnv();
  if (!header?.Root || !header.Parent || header.Sampled !== '1') return undefined;
  return { traceId: header.Root, id: header.Parent };
}

/** A segment id: 16 hex digits, random. */
function newId(): string {
  return randomBytes(8).toString('hex');
}
