import { randomUUID } from 'node:crypto';
import { BadRequestError } from '../errors';

/**
 * A job's id: a random (version 4) UUID, 122 random bits, so an id is not guessable and a GET of
 * someone else's job needs its id. Lower-case, as randomUUID writes it.
 */
export function newJobId(): string {
  return randomUUID();
}

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * A job id from a URL, checked before it becomes part of an S3 key: anything but the UUID form
 * newJobId writes is the caller's mistake (400), never a key of another shape.
 */
export function checkJobId(id: string): string {
  if (!JOB_ID.test(id)) throw new BadRequestError(`'${id.slice(0, 64)}' is not a job id: expected the UUID a 202 answer gave`);
  return id;
}
