/**
 * What a new API token may be: one zod schema for `POST /api/v1/tokens` and for
 * `moroccron token create` on the store directly.
 */
import { z } from 'zod';
import { inputShapeErrors } from './input-shape.js';
import { durationAtLeast, fieldErrors, name, type Validated } from './job-spec.js';
import { ROLES } from './types.js';

export const tokenRequestSchema = z
  .strictObject({
    role: z.enum(ROLES).describe('viewer reads; operator also changes the jobs of its owners; admin does everything'),
    owners: z.array(name('owners[]')).max(50).default([]).describe('operator only: the owners whose jobs it may change'),
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\x20-\x7e]+$/, 'name must be printable ASCII')
      .optional()
      .describe('What the token is for, e.g. ci-deploy (default: <role>-<id>)'),
    expiresIn: durationAtLeast(60_000).optional().describe('e.g. 90d; at least 1m (leave it out for a token that does not expire)'),
  })
  .superRefine((request, ctx) => {
    if (request.role === 'operator' && request.owners.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['owners'], message: 'an operator token needs at least one owner: the jobs it may change are theirs' });
    }
    if (request.role !== 'operator' && request.owners.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['owners'], message: `owners apply to operator tokens only; a ${request.role} token ${request.role === 'admin' ? 'may change every job' : 'changes none'}` });
    }
  });

export type TokenRequest = z.output<typeof tokenRequestSchema>;

export function validateTokenRequest(input: unknown): Validated<TokenRequest> {
  const shapeErrors = inputShapeErrors(input, []);
  if (shapeErrors.length > 0) return { ok: false, errors: shapeErrors };
  const result = tokenRequestSchema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: fieldErrors(result.error, []) };
}
