import { z } from 'zod';
import { BadRequestError } from '../errors';

/**
 * The OIP v2 infer request envelope. `data` is left as `unknown` here on purpose: a tensor may
 * hold millions of elements, and it is checked element by element once, by the decoder,
 * against the declared shape and datatype (zod would walk it a second time).
 */
const parameters = z.record(z.string(), z.unknown());

export const inferInputSchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number()),
  datatype: z.string(),
  parameters: parameters.optional(),
  data: z.unknown().optional(),
});

export const requestedOutputSchema = z.object({
  name: z.string().min(1),
  parameters: parameters.optional(),
});

export const inferRequestSchema = z.object({
  id: z.string().optional(),
  parameters: parameters.optional(),
  inputs: z.array(inferInputSchema).min(1),
  outputs: z.array(requestedOutputSchema).optional(),
});

export type InferInput = z.infer<typeof inferInputSchema>;
export type RequestedOutput = z.infer<typeof requestedOutputSchema>;
export type InferRequest = z.infer<typeof inferRequestSchema>;

export function parseInferRequest(value: unknown): InferRequest {
  const result = inferRequestSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'request';
  throw new BadRequestError(`invalid infer request: ${where}: ${issue?.message ?? 'malformed'}`);
}
