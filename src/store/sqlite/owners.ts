/** Owners in SQLite: created or replaced by name (createdAt kept), listed by name. */
import type Database from 'better-sqlite3';
import type { StoredOwner } from '../../core/types.js';
import { ownerFromRow, type OwnerRow } from '../record-rows.js';

interface OwnerParams {
  name: string;
  spec: string;
  created_at: number;
  updated_at: number;
}

export class SqliteOwners {
  private readonly sql;

  /** `db` must be migrated already. */
  constructor(db: Database.Database) {
    this.sql = {
      put: db.prepare<OwnerParams>(
        `INSERT INTO owners (name, spec, created_at, updated_at) VALUES (@name, @spec, @created_at, @updated_at)
         ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at`,
      ),
      delete: db.prepare<[string]>('DELETE FROM owners WHERE name = ?'),
      list: db.prepare<[], OwnerRow>('SELECT * FROM owners ORDER BY name'),
      get: db.prepare<[string], OwnerRow>('SELECT * FROM owners WHERE name = ?'),
    };
  }

  put(owner: StoredOwner): void {
    this.sql.put.run({ name: owner.spec.name, spec: JSON.stringify(owner.spec), created_at: owner.createdAt, updated_at: owner.updatedAt });
  }

  delete(name: string): void {
    this.sql.delete.run(name);
  }

  list(): StoredOwner[] {
    return this.sql.list.all().map(ownerFromRow);
  }

  get(name: string): StoredOwner | null {
    const row = this.sql.get.get(name);
    return row ? ownerFromRow(row) : null;
  }
}
