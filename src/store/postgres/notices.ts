/**
 * The notice outbox in PostgreSQL. A notice whose id is present is left as it is (a replayed
 * batch neither duplicates nor changes it); the identity column `seq` keeps the order they
 * were put in (the leader writes one batch at a time, so no two transactions interleave their inserts).
 */
import type pg from 'pg';
import type { Notice } from '../../core/types.js';
import { noticeFromRow, type NoticeRow } from '../record-rows.js';

type Db = pg.Pool | pg.PoolClient;

const SQL = {
  put: 'INSERT INTO notices (id, target, facts) VALUES ($1, $2::jsonb, $3::jsonb) ON CONFLICT (id) DO NOTHING',
  delete: 'DELETE FROM notices WHERE id = $1',
  list: 'SELECT id, target, facts FROM notices ORDER BY seq',
};

export async function put(db: Db, notice: Notice): Promise<void> {
  await db.query(SQL.put, [notice.id, JSON.stringify(notice.target), JSON.stringify(notice.facts)]);
}

export async function remove(db: Db, id: string): Promise<void> {
  await db.query(SQL.delete, [id]);
}

/** Oldest first. */
export async function list(db: Db): Promise<Notice[]> {
  return (await db.query<NoticeRow>(SQL.list)).rows.map(noticeFromRow);
}
