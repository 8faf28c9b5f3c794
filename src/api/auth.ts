/**
 * Who is asking, and may they. Every route says what it needs (`public`, `read`, `operate`,
 * `admin`); with `--auth tokens` the bearer token says who asks, and otherwise (loopback, or
 * `--auth none` behind a proxy) everyone is an anonymous admin. Roles are judged here; which
 * jobs an operator may change is judged by the scheduler (src/core/access-control.ts).
 */
import type { FastifyRequest } from 'fastify';
import type { Actor, Role } from '../core/types.js';
import type { TokenVerifier } from '../server/access/token-verifier.js';
import { ApiError } from './errors.js';

export type Access = 'public' | 'read' | 'operate' | 'admin';

export interface Authenticator {
  /** `tokens`: requests need a valid token; `open`: no authentication. */
  readonly mode: 'tokens' | 'open';
  /** The actor behind the request; an ApiError 401 when it has none. */
  actorOf(request: FastifyRequest): Promise<Actor>;
  /** A token changed on this member: stop trusting what is remembered of it. */
  forget?(tokenId: string): void;
  /** The id of the request's token if this member has already verified it (no I/O), else null. */
  vouchedTokenId(request: Pick<FastifyRequest, 'headers'>): string | null;
}

const ANONYMOUS = { tokenId: null, name: 'anonymous', role: 'admin' as const, owners: [] };

export function openDoor(): Authenticator {
  return { mode: 'open', actorOf: async (request) => ({ ...ANONYMOUS, address: request.ip }), vouchedTokenId: () => null };
}

export function tokenDoor(verifier: TokenVerifier): Authenticator {
  return {
    mode: 'tokens',
    forget: (tokenId) => verifier.forget(tokenId),
    vouchedTokenId: (request) => {
      const presented = bearerOf(request);
      return presented === null ? null : verifier.vouchedFor(presented);
    },
    actorOf: async (request) => {
      const presented = bearerOf(request);
      if (presented === null) throw unauthorized('this server needs a token: send Authorization: Bearer <token> (the CLI reads MOROCCRON_TOKEN)');
      const verdict = await verifier.verify(presented);
      if (!verdict.ok) throw unauthorized(verdict.reason);
      const { id, name, role, owners } = verdict.token;
      return { tokenId: id, name, role, owners, address: request.ip };
    },
  };
}

/** The bearer token of the request, or null when there is none. */
export function bearerOf(request: Pick<FastifyRequest, 'headers'>): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer +(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
/** The least role each kind of route needs. */
export const ROLE_NEEDED: Record<Exclude<Access, 'public'>, Role> = { read: 'viewer', operate: 'operator', admin: 'admin' };

/** A 403 unless the actor's role reaches what the route needs. */
export function checkAccess(actor: Actor, access: Access, what: string): void {
  if (access === 'public') return;
  const needed = ROLE_NEEDED[access];
  if (RANK[actor.role] >= RANK[needed]) return;
  throw new ApiError(403, 'forbidden', `${what} needs ${article(needed)} ${needed} token; ${actor.name} is ${article(actor.role)} ${actor.role}`);
}

const article = (role: Role): string => (role === 'admin' || role === 'operator' ? 'an' : 'a');

const unauthorized = (message: string): ApiError => new ApiError(401, 'unauthorized', message, [], { 'www-authenticate': 'Bearer realm="moroccron"' });
