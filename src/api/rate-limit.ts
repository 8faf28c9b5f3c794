/**
 * A budget of requests per client and time window (@fastify/rate-limit). The client is the API
 * token's id once this member has verified the token, else the request's address: a made-up
 * token id earns no budget of its own, and a token's first request spends its address's. Over budget: 429 with Retry-After,
 * in the one error shape. Liveness and readiness probes are never limited: a busy client must
 * not get its server restarted by a supervisor.
 */
import rateLimitPlugin from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDuration, parseDuration } from '../core/duration.js';
import { ApiError } from './errors.js';

export interface RateLimit {
  /** Requests each client may make per window. */
  max: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT = '600/1m';

const UNLIMITED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

/** `600/1m` (requests per duration), or `0` for no limit. The message reads after the flag's name. */
export function parseRateLimit(text: string): { ok: true; value: RateLimit | null } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (trimmed === '0') return { ok: true, value: null };
  const usage = `must be requests per duration such as ${DEFAULT_RATE_LIMIT} or 30/10s, or 0 for no limit; not "${text}"`;
  const m = /^(\d+)\s*\/\s*(\S+)$/.exec(trimmed);
  if (!m) return { ok: false, message: usage };
  const max = Number(m[1]);
  const window = parseDuration(m[2]!);
  if (!Number.isSafeInteger(max) || max < 1) return { ok: false, message: usage };
  if (!window.ok) return { ok: false, message: `${usage}: ${window.message}` };
  if (window.ms < 1000) return { ok: false, message: `${usage}: the window must be at least 1s` };
  return { ok: true, value: { max, windowMs: window.ms } };
}

/** The id of the request's token once verified on this member, else null (see Authenticator.vouchedTokenId). */
export type Vouch = (request: Pick<FastifyRequest, 'headers'>) => string | null;

/** Whose budget a request spends: its verified token's id, or its address. */
export function rateLimitKey(request: Pick<FastifyRequest, 'headers' | 'ip'>, vouch: Vouch): string {
  const tokenId = vouch(request);
  return tokenId !== null ? `token:${tokenId}` : `ip:${request.ip}`;
}

/** Limits every request (unknown routes included) but the probes; `null` limits nothing. */
export function registerRateLimit(app: FastifyInstance, limit: RateLimit | null, vouch: Vouch): void {
  if (limit === null) return;
  // global: false, so that the plugin adds no hook of its own; the one below decides and answers.
  app.register(rateLimitPlugin, { global: false, max: limit.max, timeWindow: limit.windowMs, keyGenerator: (request) => rateLimitKey(request, vouch) });
  let check: ReturnType<FastifyInstance['createRateLimit']> | null = null;
  app.after(() => {
    check = app.createRateLimit();
  });
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (check === null || UNLIMITED_PATHS.has(request.routeOptions.url ?? '')) return;
    const verdict = await check(request);
    if (verdict.isAllowed) return;
    const resetSeconds = Math.max(1, verdict.ttlInSeconds);
    reply.header('x-ratelimit-limit', verdict.max).header('x-ratelimit-remaining', verdict.remaining).header('x-ratelimit-reset', resetSeconds);
    if (!verdict.isExceeded) return;
    const who = verdict.key.startsWith('token:') ? `token ${verdict.key.slice('token:'.length)}` : `address ${verdict.key.slice('ip:'.length)}`;
    const error = new ApiError(429, 'rate_limited', `${who} made more than ${verdict.max} requests in ${formatDuration(limit.windowMs)}; retry in ${resetSeconds}s`);
    return reply.code(429).header('retry-after', resetSeconds).send(error.body());
  });
}
