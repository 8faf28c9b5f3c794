/**
 * Tokens and the audit log in ZooKeeper. A token is one znode by id. An audit entry is one
 * znode named `<at>@<id>`, so a listing of the audit directory orders and pages the log
 * without reading an entry, and a replayed entry finds its znode and is left as it is.
 *
 * Listing the children of a large znode is costly (the whole list in one answer), so the
 * log is bounded: besides `prune-audit` (by age), a write that leaves more than
 * AUDIT_TRIM_AT entries removes the oldest beyond the newest AUDIT_KEEP (access-records.ts),
 * and each entry is cut to MAX_AUDIT_BYTES.
 */
import type { AccessOp, AuditEntry, Millis, StoredToken } from '../../core/types.js';
import { AUDIT_KEEP, AUDIT_TRIM_AT, auditNewestFirst, boundAuditEntry, isPastCursor, tokensOldestFirst } from '../access-records.js';
import { decodeAuditCursor, encodeAuditCursor, type AuditPage, type AuditQuery } from '../types.js';
import type { BatchView } from './batch-view.js';
import { encodeAudit, encodeToken, decodeAudit, decodeToken } from './codec.js';
import { parseAuditName, type ZkLayout } from './layout.js';
import type { ZkSession } from './zk-session.js';

/** The znodes the access ops read. */
export const accessPathsRead = (layout: ZkLayout, ops: AccessOp[]): string[] =>
  ops.map((op) => (op.op === 'put-token' ? layout.token(op.token.id) : layout.audit(op.entry)));

export async function putToken(view: BatchView, layout: ZkLayout, token: StoredToken): Promise<void> {
  const path = layout.token(token.id);
  await view.prefetch([path]);
  view.set(path, encodeToken(token));
}

/** Returns whether the entry is new (a replayed one is present already). */
export async function putAudit(view: BatchView, layout: ZkLayout, entry: AuditEntry): Promise<boolean> {
  const path = layout.audit(entry);
  if ((await view.get(path)) !== null) return false;
  view.set(path, encodeAudit(boundAuditEntry(entry)));
  return true;
}

/** The time and id of each entry, from its name. */
const keysOf = (names: string[]): { name: string; at: Millis; id: string }[] =>
  names.flatMap((name) => {
    const key = parseAuditName(name);
    return key ? [{ name, ...key }] : [];
  });

/** The entries as the batch leaves them. */
const listed = async (view: BatchView, layout: ZkLayout) => keysOf(await view.children(layout.dir('audit')));

export async function pruneAudit(view: BatchView, layout: ZkLayout, before: Millis): Promise<void> {
  const dir = layout.dir('audit');
  for (const entry of await listed(view, layout)) if (entry.at < before) view.removeListed(`${dir}/${entry.name}`);
}

/** After entries were put: the cheap child count usually says the log is within bounds. */
export async function capAudit(view: BatchView, layout: ZkLayout): Promise<void> {
  const dir = layout.dir('audit');
  if ((await view.childCount(dir)) <= AUDIT_TRIM_AT) return;
  const entries = (await listed(view, layout)).sort(auditNewestFirst);
  for (const entry of entries.slice(AUDIT_KEEP)) view.removeListed(`${dir}/${entry.name}`);
}

/** The access ops planned against `view`: tokens replaced, new entries put, the log capped. */
export async function planAccess(view: BatchView, layout: ZkLayout, ops: AccessOp[]): Promise<void> {
  await view.prefetch(accessPathsRead(layout, ops));
  let added = false;
  for (const op of ops) {
    if (op.op === 'put-token') await putToken(view, layout, op.token);
    else added = (await putAudit(view, layout, op.entry)) || added;
  }
  if (added) await capAudit(view, layout);
}

export async function readToken(session: ZkSession, layout: ZkLayout, id: string): Promise<StoredToken | null> {
  const node = await session.get(layout.token(id));
  return node ? decodeToken(node.data) : null;
}

export async function readTokens(session: ZkSession, layout: ZkLayout): Promise<StoredToken[]> {
  const dir = layout.dir('tokens');
  const nodes = await Promise.all((await session.children(dir)).map((name) => session.get(`${dir}/${name}`)));
  return nodes.flatMap((node) => (node ? [decodeToken(node.data)] : [])).sort(tokensOldestFirst);
}

/** One page of the log, newest first: the names choose it, then only its entries are read. */
export async function readAudit(session: ZkSession, layout: ZkLayout, query: AuditQuery): Promise<AuditPage> {
  const dir = layout.dir('audit');
  const after = query.cursor ? decodeAuditCursor(query.cursor) : null;
  const chosen = keysOf(await session.children(dir))
    .filter((e) => (query.since === undefined || e.at >= query.since) && (!after || isPastCursor(e, after)))
    .sort(auditNewestFirst);
  const page = chosen.slice(0, query.limit);
  const nodes = await Promise.all(page.map((e) => session.get(`${dir}/${e.name}`)));
  // An entry pruned between the listing and the read is left out; the cursor still follows the listing.
  const entries = nodes.flatMap((node) => (node ? [decodeAudit(node.data)] : []));
  return { entries, nextCursor: chosen.length > query.limit ? encodeAuditCursor(page.at(-1)!) : null };
}
