import { JOB_STATES } from '../jobs/JobStatus';
import { WEBHOOK_HEADER } from '../jobs/webhook';
import type { AuthType } from '../registry/schema';
import { errorRefs } from './errorResponses';
import type { OpenApiDocument, Operation } from './types';

// Header names as the documents spell them.
const WEBHOOK = WEBHOOK_HEADER.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase());

const JOB_STATUS_SCHEMA = {
  type: 'object',
  required: ['id', 'model', 'status', 'created'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    model: { type: 'string' },
    status: { type: 'string', enum: [...JOB_STATES] },
    created: { type: 'string', format: 'date-time' },
    finished: { type: 'string', format: 'date-time' },
    result: { description: 'succeeded: the body the synchronous route answers for the same request.' },
    error: { type: 'string', description: "failed: the synchronous route's error message, or why the run never wrote one." },
  },
};

/**
 * Asynchronous requests in the document (lib/core/jobs; docs/async.md), for a deployment that
 * takes them: `Prefer` and `Onnxless-Webhook` on each listed model's predict and infer operations,
 * their 202, and each model's job route, as the deploy routes them.
 */
export function addJobPaths(document: OpenApiDocument, models: readonly string[], auth: AuthType): void {
  document.components.schemas.JobStatus = JOB_STATUS_SCHEMA;
  for (const model of models) {
    for (const [path, item] of Object.entries(document.paths)) {
      const owned = path === `/models/${model}/predict` || new RegExp(`^/v2/models/${model}(/versions/[^/]+)?/infer$`).test(path);
      if (owned && item.post) acceptAsync(item.post);
    }
    document.paths[`/models/${model}/jobs/{job}`] = { get: jobOperation(model, auth) };
  }
}

function acceptAsync(operation: Operation): void {
  operation.parameters = [
    ...(operation.parameters ?? []),
    {
      name: 'Prefer',
      in: 'header',
      required: false,
      description: 'respond-async (RFC 7240): answer 202 with a job to poll instead of the result.',
      schema: { type: 'string' },
    },
    {
      name: WEBHOOK,
      in: 'header',
      required: false,
      description: "With respond-async: an http(s) URL, among the deployment's webhook hosts, that receives the job's final status.",
      schema: { type: 'string', format: 'uri' },
    },
  ];
  operation.responses['202'] = {
    description: 'Accepted (Prefer: respond-async): the job, to GET at Location.',
    headers: {
      Location: { description: 'The job: /models/{model}/jobs/{id}.', schema: { type: 'string' } },
      'Preference-Applied': { description: 'respond-async', schema: { type: 'string' } },
    },
    content: { 'application/json': { schema: { $ref: '#/components/schemas/JobStatus' } } },
  };
}

function jobOperation(model: string, auth: AuthType): Operation {
  return {
    operationId: `job_${model.replace(/-/g, '_')}`,
    summary: `An asynchronous request to ${model}: pending, succeeded (with its result) or failed (with its error)`,
    tags: [model],
    parameters: [
      { name: 'job', in: 'path', required: true, description: 'The id a 202 answer gave.', schema: { type: 'string', format: 'uuid' } },
    ],
    responses: {
      '200': { description: "The job's status.", content: { 'application/json': { schema: { $ref: '#/components/schemas/JobStatus' } } } },
      ...errorRefs(['BadRequest', 'NotFound', 'MethodNotAllowed', 'InternalError'], auth),
    },
  };
}
