/**
 * Tokens and the audit log in etcd: P/tokens/<id> and P/audit/<ts>/<id> (keys.ts), so a
 * range read in key order pages the log newest first, and a replayed entry finds its key
 * and is left as it is.
 *
 * etcd keeps every key in memory, so the log is bounded: besides `prune-audit` (by age), a
 * write that leaves more than AUDIT_TRIM_AT entries removes the oldest beyond the newest
 * AUDIT_KEEP (access-records.ts), and each entry is cut to MAX_AUDIT_BYTES.
 */
import type { Etcd3 } from 'etcd3';
import type { AccessOp, AuditEntry, StoredToken } from '../../core/types.js';
import { AUDIT_KEEP, AUDIT_TRIM_AT, boundAuditEntry, tokensOldestFirst } from '../access-records.js';
import { decodeAuditCursor, encodeAuditCursor, type AuditPage, type AuditQuery } from '../types.js';
import { clampTime, padTime, prefixEnd, type Keys } from './keys.js';
import { count, getMany, range, type Mutation } from './kv.js';

/** What the ops change: tokens replaced by id, audit entries put unless present. */
export async function accessMutations(client: Etcd3, keys: Keys, maxTxnOps: number, ops: AccessOp[]): Promise<Mutation[]> {
  const auditKeys = ops.flatMap((op) => (op.op === 'put-audit' ? [keys.audit(op.entry)] : []));
  const present = await getMany(client, auditKeys, maxTxnOps);
  // etcd refuses a key twice in one transaction: a later token with the same id wins, a repeated entry counts once.
  const changes = new Map<string, string>();
  for (const op of ops) {
    if (op.op === 'put-token') {
      changes.set(keys.token(op.token.id), JSON.stringify(op.token));
    } else {
      const key = keys.audit(op.entry);
      if (present.get(key) === null && !changes.has(key)) changes.set(key, JSON.stringify(boundAuditEntry(op.entry)));
    }
  }
  return [...changes];
}

/** Deletes of the oldest entries beyond AUDIT_KEEP, once there are more than AUDIT_TRIM_AT; the count alone usually says none. */
export async function auditBeyondCap(client: Etcd3, keys: Keys): Promise<Mutation[]> {
  const end = prefixEnd(keys.audits);
  const stored = await count(client, keys.audits, end);
  if (stored <= AUDIT_TRIM_AT) return [];
  const oldest = await range(client, keys.audits, end, { keysOnly: true, limit: stored - AUDIT_KEEP });
  return oldest.entries.map((e): Mutation => [e.key, null]);
}

export async function readToken(client: Etcd3, keys: Keys, id: string): Promise<StoredToken | null> {
  const raw = await client.get(keys.token(id)).string();
  return raw === null ? null : (JSON.parse(raw) as StoredToken);
}

export async function readTokens(client: Etcd3, keys: Keys): Promise<StoredToken[]> {
  const { entries } = await range(client, keys.tokens, prefixEnd(keys.tokens));
  return entries.map((e) => JSON.parse(e.value) as StoredToken).sort(tokensOldestFirst);
}

/** One page, newest first: a descending range from the cursor's key (exclusive) down to `since`. */
export async function readAudit(client: Etcd3, keys: Keys, query: AuditQuery): Promise<AuditPage> {
  const base = keys.audits;
  const after = query.cursor ? decodeAuditCursor(query.cursor) : null;
  const start = query.since !== undefined ? `${base}${padTime(clampTime(query.since))}` : base;
  const end = after ? `${base}${padTime(clampTime(after.at))}/${after.id}` : prefixEnd(base);
  if (start >= end) return { entries: [], nextCursor: null };
  const page = await range(client, start, end, { limit: query.limit + 1, descend: true });
  const entries = page.entries.slice(0, query.limit).map((e) => JSON.parse(e.value) as AuditEntry);
  return { entries, nextCursor: page.entries.length > query.limit ? encodeAuditCursor(entries.at(-1)!) : null };
}
