/**
 * /api/v1/tokens (admin): make, list and revoke API tokens; /api/v1/audit (admin): who changed
 * what. Any member answers: tokens are not scheduler state, so they need no leader.
 */
import { z } from 'zod';
import { text } from '../../core/input-limits.js';
import { tokenRequestSchema, validateTokenRequest } from '../../core/token-request.js';
import { ROLES, type AuditEntry } from '../../core/types.js';
import { createToken, listTokenViews, revokeToken, type TokenView } from '../../server/access/token-admin.js';
import { decodeAuditCursor } from '../../store/types.js';
import type { ApiContext } from '../context.js';
import { invalid, notFound } from '../errors.js';
import { route, type AnyRoute } from '../route.js';
import { errorSchema } from './schemas.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export const tokenView = (t: TokenView) => ({ ...t, createdAt: iso(t.createdAt), expiresAt: iso(t.expiresAt), revokedAt: iso(t.revokedAt) });

const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  owners: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdBy: z.string(),
  state: z.enum(['active', 'revoked', 'expired']),
});

const auditView = (e: AuditEntry) => ({ ...e, at: iso(e.at) });

const auditSchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ tokenId: z.string().nullable(), name: z.string(), role: z.enum(ROLES), address: z.string().nullable() }),
  action: z.string(),
  targets: z.array(z.string()),
  outcome: z.enum(['done', 'refused']),
  status: z.number().int(),
  detail: z.string().nullable(),
});

const auditQuery = z.strictObject({
  since: z.iso.datetime({ offset: true }).optional().describe('Entries at or after this time'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: text(500)
    .refine((c) => decodeAuditCursor(c) !== null, 'not a cursor from a previous page')
    .optional(),
});

export function tokenRoutes(api: ApiContext, clock: () => number = Date.now): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/api/v1/tokens',
      tag: 'access',
      access: 'admin',
      summary: 'Every token, revoked and expired ones included (never their secrets)',
      responses: { 200: { description: 'Tokens, oldest first', schema: z.object({ tokens: z.array(tokenSchema) }) } },
      handler: async () => ({ status: 200, body: { tokens: (await listTokenViews(api.access, clock())).map(tokenView) } }),
    }),
    route({
      method: 'POST',
      path: '/api/v1/tokens',
      tag: 'access',
      access: 'admin',
      anyMember: true,
      summary: 'Make a token; the answer holds it, and it is never shown again',
      body: tokenRequestSchema,
      parseBody: (raw) => {
        const result = validateTokenRequest(raw);
        if (!result.ok) throw invalid(result.errors, 'token request');
        return result.value;
      },
      responses: {
        201: { description: 'The new token (`token`) and its record', schema: tokenSchema.extend({ token: z.string() }) },
        400: { description: 'A field is wrong (named)', schema: errorSchema },
      },
      handler: async ({ body, actor }) => {
        const created = await createToken(api.access, body, actor, clock());
        if (!created.ok) throw invalid(created.errors, 'token request');
        return { status: 201, body: { token: created.token, ...tokenView(created.view) } };
      },
    }),
    route({
      method: 'DELETE',
      path: '/api/v1/tokens/{id}',
      tag: 'access',
      access: 'admin',
      anyMember: true,
      summary: 'Revoke a token: every member refuses it within a second',
      params: z.strictObject({ id: z.string().regex(/^[0-9a-f]{12}$/, 'a token id is 12 hex digits (the part after mcr_)') }),
      responses: {
        200: { description: 'The revoked token', schema: tokenSchema },
        404: { description: 'No such token', schema: errorSchema },
      },
      handler: async ({ params, actor }) => {
        const revoked = await revokeToken(api.access, params.id, actor, clock());
        if (!revoked) throw notFound(`token ${params.id}`);
        api.auth.forget?.(params.id);
        return { status: 200, body: tokenView(revoked) };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/audit',
      tag: 'access',
      access: 'admin',
      summary: 'Who changed what, when and from where; refusals included. Newest first',
      query: auditQuery,
      responses: { 200: { description: 'A page of the audit log', schema: z.object({ entries: z.array(auditSchema), nextCursor: z.string().nullable() }) } },
      handler: async ({ query }) => {
        const page = await api.access.listAudit({
          limit: query.limit,
          ...(query.since !== undefined ? { since: Date.parse(query.since) } : {}),
          ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        });
        return { status: 200, body: { entries: page.entries.map(auditView), nextCursor: page.nextCursor } };
      },
    }),
  ];
}
