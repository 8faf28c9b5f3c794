/**
 * Tokens and audit entries as every store orders them, and the bounds the stores that keep
 * everything in memory (ZooKeeper, etcd) put on the audit log.
 */
import type { AuditEntry, StoredToken } from '../core/types.js';

/** listTokens order: oldest first, ties by id. */
export const tokensOldestFirst = (a: StoredToken, b: StoredToken): number => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

type AuditKey = Pick<AuditEntry, 'at' | 'id'>;

/** listAudit order: newest first by (at, id). */
export const auditNewestFirst = (a: AuditKey, b: AuditKey): number => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Whether `entry` comes after `cursor` (the last entry of the previous page) newest first. */
export const isPastCursor = (entry: AuditKey, cursor: AuditKey): boolean => entry.at < cursor.at || (entry.at === cursor.at && entry.id < cursor.id);

/**
 * ZooKeeper and etcd keep the newest AUDIT_KEEP entries: once a write leaves more than
 * AUDIT_TRIM_AT, the oldest beyond AUDIT_KEEP go (the slack spares listing the log on
 * every write). `prune-audit` removes entries by age as in the SQL stores.
 */
export const AUDIT_KEEP = 10_000;
export const AUDIT_TRIM_AT = 11_000;

/** Largest audit entry kept in ZooKeeper or etcd, in bytes of JSON. */
export const MAX_AUDIT_BYTES = 64 * 1024;
const MAX_DETAIL = 2000;

const bytesOf = (entry: AuditEntry): number => Buffer.byteLength(JSON.stringify(entry));

/**
 * The entry cut to MAX_AUDIT_BYTES, so it can always be stored (a refused write would stop
 * the scheduler): a long detail is cut, and targets beyond what fits are counted in a last
 * target `… and N more`. Entries that fit are returned as they are.
 */
export function boundAuditEntry(entry: AuditEntry): AuditEntry {
  if (bytesOf(entry) <= MAX_AUDIT_BYTES) return entry;
  const detail = entry.detail !== null && entry.detail.length > MAX_DETAIL ? `${entry.detail.slice(0, MAX_DETAIL - 1)}…` : entry.detail;
  const cut: AuditEntry = { ...entry, detail, targets: [] };
  let budget = MAX_AUDIT_BYTES - bytesOf(cut) - 64;
  let kept = 0;
  for (const target of entry.targets) {
    const size = Buffer.byteLength(JSON.stringify(target)) + 1;
    if (size > budget) break;
    budget -= size;
    kept++;
  }
  const rest = entry.targets.length - kept;
  return { ...cut, targets: rest > 0 ? [...entry.targets.slice(0, kept), `… and ${rest} more`] : entry.targets };
}
