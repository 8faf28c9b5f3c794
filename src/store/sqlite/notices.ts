/**
 * The notice outbox in SQLite. A notice whose id is present is left as it is (a replayed
 * batch neither duplicates nor changes it); the rowid `seq` keeps the order they were put in.
 */
import type Database from 'better-sqlite3';
import type { Notice } from '../../core/types.js';
import { noticeFromRow, type NoticeRow } from '../record-rows.js';

export class SqliteNotices {
  private readonly sql;

  /** `db` must be migrated already. */
  constructor(db: Database.Database) {
    this.sql = {
      put: db.prepare<[string, string, string]>('INSERT INTO notices (id, target, facts) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING'),
      delete: db.prepare<[string]>('DELETE FROM notices WHERE id = ?'),
      list: db.prepare<[], NoticeRow>('SELECT id, target, facts FROM notices ORDER BY seq'),
    };
  }

  put(notice: Notice): void {
    this.sql.put.run(notice.id, JSON.stringify(notice.target), JSON.stringify(notice.facts));
  }

  delete(id: string): void {
    this.sql.delete.run(id);
  }

  /** Oldest first. */
  list(): Notice[] {
    return this.sql.list.all().map(noticeFromRow);
  }
}
