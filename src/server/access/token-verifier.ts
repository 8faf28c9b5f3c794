/**
 * Checks bearer tokens on every member. The record is read from the store (so a token made or
 * revoked on any member, or with `moroccron token` offline, counts everywhere) and kept for at
 * most `recordTtlMs`: a revocation takes effect within that. The scrypt verdict on a presented
 * secret is remembered by its digest, so a token costs one scrypt per process, not per request.
 */
import type { Millis, StoredToken } from '../../core/types.js';
import type { Store } from '../../store/types.js';
import { parseToken, secretDigest, secretMatches } from './token-secret.js';

export type Verdict = { ok: true; token: StoredToken } | { ok: false; reason: string };

/** The same answer for an unknown id and a wrong secret: a probe learns nothing. */
const NOT_VALID = 'the token is not valid (unknown, or a wrong secret)';
const MAX_REMEMBERED = 10_000;

interface CachedRecord {
  record: StoredToken | null;
  readAt: Millis;
}

export class TokenVerifier {
  private readonly records = new Map<string, CachedRecord>();
  private readonly reading = new Map<string, Promise<StoredToken | null>>();
  /** `${id} ${digest}` → whether that secret matched (insertion order = age, for eviction). */
  private readonly verdicts = new Map<string, boolean>();

  constructor(
    private readonly store: Pick<Store, 'getToken'>,
    private readonly clock: () => Millis,
    private readonly recordTtlMs = 1000,
  ) {}

  async verify(presented: string): Promise<Verdict> {
    const parts = parseToken(presented);
    if (!parts) return { ok: false, reason: 'the token is malformed (expected mcr_<id>_<secret>)' };
    const record = await this.record(parts.id);
    if (!record || !(await this.secretOk(record, parts.secret))) return { ok: false, reason: NOT_VALID };
    // Told only to someone who holds the secret.
    if (record.revokedAt !== null) return { ok: false, reason: `token ${record.id} (${record.name}) was revoked at ${new Date(record.revokedAt).toISOString()}` };
    if (record.expiresAt !== null && record.expiresAt <= this.clock()) {
      return { ok: false, reason: `token ${record.id} (${record.name}) expired at ${new Date(record.expiresAt).toISOString()}` };
    }
    return { ok: true, token: record };
  }

  /**
   * The id of a token this member has verified, still valid as last read, or null: without a
   * store read or a hash, for the rate limit (unverified tokens spend their address's budget).
   */
  vouchedFor(presented: string): string | null {
    const parts = parseToken(presented);
    const record = parts && this.records.get(parts.id)?.record;
    if (!parts || !record || record.revokedAt !== null || (record.expiresAt !== null && record.expiresAt <= this.clock())) return null;
    return this.verdicts.get(`${record.id} ${record.secretHash} ${secretDigest(parts.secret)}`) === true ? record.id : null;
  }

  /** Forget a token's record at once (this member revoked or changed it). */
  forget(id: string): void {
    this.records.delete(id);
  }

  private async record(id: string): Promise<StoredToken | null> {
    const cached = this.records.get(id);
    if (cached && this.clock() - cached.readAt < this.recordTtlMs) return cached.record;
    let reading = this.reading.get(id);
    if (!reading) {
      reading = this.store.getToken(id).finally(() => this.reading.delete(id));
      this.reading.set(id, reading);
    }
    const record = await reading;
    this.remember(this.records, id, { record, readAt: this.clock() });
    return record;
  }

  private async secretOk(record: StoredToken, secret: string): Promise<boolean> {
    const key = `${record.id} ${record.secretHash} ${secretDigest(secret)}`;
    const known = this.verdicts.get(key);
    if (known !== undefined) return known;
    const matches = await secretMatches(secret, record.secretHash);
    this.remember(this.verdicts, key, matches);
    return matches;
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value!);
  }
}
