/**
 * Tokens and the audit log in PostgreSQL: a token is one JSONB record by id; an audit entry
 * one row, listed newest first by (at, id) (ids compare bytewise, as in SQLite). A replayed
 * entry (same id) is left as it is.
 */
import type pg from 'pg';
import type { AuditEntry, Millis, StoredToken } from '../../core/types.js';
import { tokensOldestFirst } from '../access-records.js';
import { decodeAuditCursor, encodeAuditCursor, type AuditPage, type AuditQuery } from '../types.js';

type Db = pg.Pool | pg.PoolClient;

const SQL = {
  putToken: 'INSERT INTO tokens (id, record) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO UPDATE SET record = excluded.record',
  getToken: 'SELECT record FROM tokens WHERE id = $1',
  listTokens: 'SELECT record FROM tokens',
  putAudit: 'INSERT INTO audit (id, at, entry) VALUES ($1, $2, $3::jsonb) ON CONFLICT (id) DO NOTHING',
  listAudit: `SELECT entry FROM audit WHERE at >= $1 AND (at, id) < ($2, $3)
    ORDER BY at DESC, id DESC LIMIT $4`,
  pruneAudit: 'DELETE FROM audit WHERE at < $1',
};

export async function putToken(db: Db, token: StoredToken): Promise<void> {
  await db.query(SQL.putToken, [token.id, JSON.stringify(token)]);
}

export async function getToken(db: Db, id: string): Promise<StoredToken | null> {
  return (await db.query<{ record: StoredToken }>(SQL.getToken, [id])).rows[0]?.record ?? null;
}

/** Oldest first. */
export async function listTokens(db: Db): Promise<StoredToken[]> {
  return (await db.query<{ record: StoredToken }>(SQL.listTokens)).rows.map((row) => row.record).sort(tokensOldestFirst);
}

export async function putAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.query(SQL.putAudit, [entry.id, entry.at, JSON.stringify(entry)]);
}

export async function listAudit(db: Db, query: AuditQuery): Promise<AuditPage> {
  const after = query.cursor ? decodeAuditCursor(query.cursor) : null;
  const { rows } = await db.query<{ entry: AuditEntry }>(SQL.listAudit, [
    query.since ?? Number.MIN_SAFE_INTEGER,
    after?.at ?? Number.MAX_SAFE_INTEGER,
    after?.id ?? '',
    query.limit + 1,
  ]);
  const entries = rows.slice(0, query.limit).map((row) => row.entry);
  return { entries, nextCursor: rows.length > query.limit ? encodeAuditCursor(entries.at(-1)!) : null };
}

export async function pruneAudit(db: Db, before: Millis): Promise<void> {
  await db.query(SQL.pruneAudit, [before]);
}
