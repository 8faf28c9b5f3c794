/**
 * Jobs, owners and notices as table rows, shared by the SQL stores. JSON columns are text
 * in SQLite and JSONB in PostgreSQL, whose driver reads them back already parsed; BIGINT
 * columns may come back as strings.
 */
import { sharingJob } from '../core/spec-sharing.js';
import type { JobProgress, JobSpec, Notice, OwnerSpec, StoredJob, StoredOwner } from '../core/types.js';

type Json<T> = string | T;
type BigIntColumn = number | string;

const parsed = <T>(value: Json<T>): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

export interface JobRow {
  name: string;
  spec: Json<JobSpec>;
  cursor: BigIntColumn | null;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
  progress: Json<JobProgress>;
}

export const jobFromRow = (row: JobRow): StoredJob =>
  sharingJob({
    spec: parsed(row.spec),
    cursor: row.cursor === null ? null : Number(row.cursor),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    progress: parsed(row.progress),
  });

export interface OwnerRow {
  name: string;
  spec: Json<OwnerSpec>;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

export const ownerFromRow = (row: OwnerRow): StoredOwner => ({
  spec: parsed(row.spec),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

export interface NoticeRow {
  id: string;
  target: Json<Notice['target']>;
  facts: Json<Notice['facts']>;
}

export const noticeFromRow = (row: NoticeRow): Notice => ({ id: row.id, target: parsed(row.target), facts: parsed(row.facts) });
