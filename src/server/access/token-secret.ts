/**
 * API tokens as people hold them: `mcr_<id>_<secret>`. The id (12 hex digits) is public: the
 * store's lookup key, shown in lists and the audit log. The secret (32 random bytes) is kept
 * only as an scrypt hash, so a copy of the store gives nobody a working token.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const TOKEN = /^mcr_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/**
 * A KDF's cost guards guessable passwords; a secret of 256 random bits cannot be guessed at
 * any cost, so the cost here only has to keep a stolen store useless, which any is enough
 * for. N = 2^10 is about 2 ms: a flood of wrong secrets for a known token id (ids are public)
 * costs the server little, and the verifier remembers the verdict on each secret it saw.
 */
const COST: Required<Pick<ScryptOptions, 'N' | 'r' | 'p'>> = { N: 1 << 10, r: 8, p: 1 };
const KEY_BYTES = 32;

export interface TokenParts {
  id: string;
  secret: string;
}

export function newTokenParts(): TokenParts & { token: string } {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `mcr_${id}_${secret}` };
}

/** The id and secret of a well-formed token, or null. */
export function parseToken(token: string): TokenParts | null {
  const match = TOKEN.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

/** The id a bearer token claims, without checking it (for rate limits and logs). */
export const claimedTokenId = (token: string): string | null => parseToken(token)?.id ?? null;

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(secret, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(secret, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A fingerprint of a presented secret, to remember verdicts without keeping the secret. */
export const secretDigest = (secret: string): string => createHash('sha256').update(secret).digest('base64url');

function derive(secret: string, salt: Buffer, cost: Required<Pick<ScryptOptions, 'N' | 'r' | 'p'>>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_BYTES, { ...cost, maxmem: 256 * cost.N * cost.r }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
