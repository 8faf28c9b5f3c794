/**
 * Making, listing and revoking tokens, for the tokens API (any member) and for `moroccron
 * token` on the store directly. Each change is written with its audit entry in one unfenced
 * access write: tokens are not scheduler state, and must work with no leader, or no server.
 */
import { randomBytes } from 'node:crypto';
import { parseDuration } from '../../core/duration.js';
import type { FieldError } from '../../core/job-spec.js';
import type { TokenRequest } from '../../core/token-request.js';
import type { Actor, AuditEntry, Millis, StoredToken } from '../../core/types.js';
import type { Store } from '../../store/types.js';
import { hashSecret, newTokenParts } from './token-secret.js';

export type TokenStore = Pick<Store, 'writeAccess' | 'getToken' | 'listTokens' | 'getOwner'>;

/** A token as lists show it: never its secret or hash. */
export type TokenView = Omit<StoredToken, 'secretHash'> & { state: 'active' | 'revoked' | 'expired' };

export type Created = { ok: true; token: string; view: TokenView } | { ok: false; errors: FieldError[] };

export async function createToken(store: TokenStore, request: TokenRequest, actor: Actor, now: Millis): Promise<Created> {
  const errors: FieldError[] = [];
  for (const [i, owner] of request.owners.entries()) {
    if (!(await store.getOwner(owner))) errors.push({ field: `owners[${i}]`, message: `no owner named "${owner}" (create it first: PUT /api/v1/owners/${owner})` });
  }
  if (errors.length > 0) return { ok: false, errors };
  const parts = newTokenParts();
  const expiresInMs = request.expiresIn === undefined ? null : parseDuration(request.expiresIn);
  const record: StoredToken = {
    id: parts.id,
    name: request.name ?? `${request.role}-${parts.id}`,
    role: request.role,
    owners: request.owners,
    secretHash: await hashSecret(parts.secret),
    createdAt: now,
    expiresAt: expiresInMs?.ok ? now + expiresInMs.ms : null,
    revokedAt: null,
    createdBy: actor.name,
  };
  await store.writeAccess([{ op: 'put-token', token: record }, { op: 'put-audit', entry: auditOf(actor, 'create-token', record, now) }]);
  return { ok: true, token: parts.token, view: viewOf(record, now) };
}

/** The token, revoked now (or when it was, if it already was); null when there is none. */
export async function revokeToken(store: TokenStore, id: string, actor: Actor, now: Millis): Promise<TokenView | null> {
  const record = await store.getToken(id);
  if (!record) return null;
  const revoked = record.revokedAt === null ? { ...record, revokedAt: now } : record;
  await store.writeAccess([{ op: 'put-token', token: revoked }, { op: 'put-audit', entry: auditOf(actor, 'revoke-token', revoked, now) }]);
  return viewOf(revoked, now);
}

export async function listTokenViews(store: TokenStore, now: Millis): Promise<TokenView[]> {
  return (await store.listTokens()).map((t) => viewOf(t, now));
}

export function viewOf(token: StoredToken, now: Millis): TokenView {
  const { secretHash: _hidden, ...shown } = token;
  const state = token.revokedAt !== null ? 'revoked' : token.expiresAt !== null && token.expiresAt <= now ? 'expired' : 'active';
  return { ...shown, state };
}

function auditOf(actor: Actor, action: 'create-token' | 'revoke-token', token: StoredToken, now: Millis): AuditEntry {
  return {
    // Time-ordered like the scheduler's ids; random, since no scheduler hands these out.
    id: `a${now.toString(36).padStart(9, '0')}-t${randomBytes(5).toString('hex')}`,
    at: now,
    actor: { tokenId: actor.tokenId, name: actor.name, role: actor.role, address: actor.address },
    action,
    targets: [token.id, token.name],
    outcome: 'done',
    status: action === 'create-token' ? 201 : 200,
    detail: null,
  };
}
