/**
 * Many runs in one statement: a burst of claims (or updates) is one round trip, with
 * each column sent as an array and unnested server-side.
 */
import type pg from 'pg';
import type { Run } from '../../core/types.js';
import { RUN_COLUMNS, toRow, type RunRow } from '../run-row.js';

const COLUMN_TYPES: Record<(typeof RUN_COLUMNS)[number], string> = {
  id: 'text', job: 'text', key: 'text', trigger: 'text', scheduled_at: 'bigint', claimed_at: 'bigint',
  started_at: 'bigint', finished_at: 'bigint', attempt: 'integer', status: 'text', exit_code: 'integer',
  reason: 'text', agent: 'text', task_id: 'text', root_id: 'text', deadline: 'bigint', kill_reason: 'text',
  labels: 'jsonb', causes: 'jsonb', late: 'boolean', usage: 'jsonb',
};

const UNNEST = `unnest(${RUN_COLUMNS.map((c, i) => `$${i + 1}::${COLUMN_TYPES[c]}[]`).join(', ')})`;
const COLUMNS = RUN_COLUMNS.join(', ');

const INSERT_SQL = `INSERT INTO runs (${COLUMNS}) SELECT * FROM ${UNNEST} ON CONFLICT DO NOTHING RETURNING id, job, key`;

const HELD_SQL = `SELECT r.id, r.job, r.key FROM runs AS r JOIN unnest($1::text[], $2::text[], $3::text[]) AS c (id, job, key)
  ON r.id = c.id AND r.job = c.job AND r.key = c.key`;

type Claim = Pick<Run, 'id' | 'job' | 'key'>;
const claimOf = (c: Claim): string => JSON.stringify([c.id, c.job, c.key]);

const UPDATE_SQL = `UPDATE runs AS r SET ${RUN_COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = u.${c}`).join(', ')}
  FROM ${UNNEST} AS u (${COLUMNS}) WHERE r.id = u.id`;

const columnArrays = (runs: Run[]): unknown[][] => {
  const rows = runs.map(toRow);
  return RUN_COLUMNS.map((c) => rows.map((row: RunRow) => row[c]));
};

/** Insert the runs whose (job, key) and id are free; returns the claims that went in. */
export async function insertRuns(client: pg.PoolClient, runs: Run[]): Promise<Set<string>> {
  // A duplicate within the burst is left out here, so the first of a pair always wins.
  const seenKeys = new Set<string>();
  const seenIds = new Set<string>();
  const fresh = runs.filter((run) => {
    const key = JSON.stringify([run.job, run.key]);
    if (seenKeys.has(key) || seenIds.has(run.id)) return false;
    seenKeys.add(key);
    seenIds.add(run.id);
    return true;
  });
  if (fresh.length === 0) return new Set();
  const { rows } = await client.query<Claim>(INSERT_SQL, columnArrays(fresh));
  return new Set(rows.map(claimOf));
}

/**
 * Claim the runs; for each, whether it holds its (job, key): inserted now, or held already
 * by the same run id (an earlier attempt of this batch committed and its answer was lost).
 * Only the claims the insert refused cost a second query.
 */
export async function claimRuns(client: pg.PoolClient, runs: Run[]): Promise<boolean[]> {
  const held = await insertRuns(client, runs);
  const refused = runs.filter((run) => !held.has(claimOf(run)));
  if (refused.length > 0) {
    const { rows } = await client.query<Claim>(HELD_SQL, [refused.map((r) => r.id), refused.map((r) => r.job), refused.map((r) => r.key)]);
    for (const row of rows) held.add(claimOf(row));
  }
  return runs.map((run) => held.has(claimOf(run)));
}

export async function updateRuns(client: pg.PoolClient, runs: Run[]): Promise<void> {
  // One UPDATE touches a row once: the last update of a run in the burst is the one that counts.
  const latest = [...new Map(runs.map((run) => [run.id, run])).values()];
  if (latest.length > 0) await client.query(UPDATE_SQL, columnArrays(latest));
}
