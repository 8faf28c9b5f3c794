/**
 * Tokens and the audit log in SQLite: a token is one JSON record by id; an audit entry one
 * row, listed newest first by (at, id). A replayed entry (same id) is left as it is.
 */
import type Database from 'better-sqlite3';
import type { AuditEntry, Millis, StoredToken } from '../../core/types.js';
import { tokensOldestFirst } from '../access-records.js';
import { decodeAuditCursor, encodeAuditCursor, type AuditPage, type AuditQuery } from '../types.js';

export class SqliteAccess {
  private readonly sql;

  /** `db` must be migrated already. */
  constructor(db: Database.Database) {
    this.sql = {
      putToken: db.prepare<[string, string]>('INSERT INTO tokens (id, record) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record'),
      getToken: db.prepare<[string], { record: string }>('SELECT record FROM tokens WHERE id = ?'),
      listTokens: db.prepare<[], { record: string }>('SELECT record FROM tokens'),
      putAudit: db.prepare<[string, number, string]>('INSERT INTO audit (id, at, entry) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING'),
      listAudit: db.prepare<{ since: number; at: number; id: string; limit: number }, { entry: string }>(
        `SELECT entry FROM audit WHERE at >= @since AND (at < @at OR (at = @at AND id < @id))
         ORDER BY at DESC, id DESC LIMIT @limit`,
      ),
      pruneAudit: db.prepare<[number]>('DELETE FROM audit WHERE at < ?'),
    };
  }

  putToken(token: StoredToken): void {
    this.sql.putToken.run(token.id, JSON.stringify(token));
  }

  getToken(id: string): StoredToken | null {
    const row = this.sql.getToken.get(id);
    return row ? (JSON.parse(row.record) as StoredToken) : null;
  }

  listTokens(): StoredToken[] {
    return this.sql.listTokens.all().map((row) => JSON.parse(row.record) as StoredToken).sort(tokensOldestFirst);
  }

  putAudit(entry: AuditEntry): void {
    this.sql.putAudit.run(entry.id, entry.at, JSON.stringify(entry));
  }

  listAudit(query: AuditQuery): AuditPage {
    const after = query.cursor ? decodeAuditCursor(query.cursor) : null;
    const rows = this.sql.listAudit.all({
      since: query.since ?? Number.MIN_SAFE_INTEGER,
      at: after?.at ?? Number.MAX_SAFE_INTEGER,
      id: after?.id ?? '',
      limit: query.limit + 1,
    });
    const entries = rows.slice(0, query.limit).map((row) => JSON.parse(row.entry) as AuditEntry);
    return { entries, nextCursor: rows.length > query.limit ? encodeAuditCursor(entries.at(-1)!) : null };
  }

  pruneAudit(before: Millis): void {
    this.sql.pruneAudit.run(before);
  }
}
