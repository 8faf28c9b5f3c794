/** Owners in PostgreSQL: created or replaced by name (createdAt kept), listed by name. */
import type pg from 'pg';
import type { StoredOwner } from '../../core/types.js';
import { ownerFromRow, type OwnerRow } from '../record-rows.js';

type Db = pg.Pool | pg.PoolClient;

const SQL = {
  put: `INSERT INTO owners (name, spec, created_at, updated_at) VALUES ($1, $2::jsonb, $3, $4)
    ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at`,
  delete: 'DELETE FROM owners WHERE name = $1',
  list: 'SELECT * FROM owners ORDER BY name',
  get: 'SELECT * FROM owners WHERE name = $1',
};

export async function put(db: Db, owner: StoredOwner): Promise<void> {
  await db.query(SQL.put, [owner.spec.name, JSON.stringify(owner.spec), owner.createdAt, owner.updatedAt]);
}

export async function remove(db: Db, name: string): Promise<void> {
  await db.query(SQL.delete, [name]);
}

export async function list(db: Db): Promise<StoredOwner[]> {
  return (await db.query<OwnerRow>(SQL.list)).rows.map(ownerFromRow);
}

export async function get(db: Db, name: string): Promise<StoredOwner | null> {
  const row = (await db.query<OwnerRow>(SQL.get, [name])).rows[0];
  return row ? ownerFromRow(row) : null;
}
