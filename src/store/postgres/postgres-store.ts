/**
 * The shared store for several schedulers: PostgreSQL. Every write batch is a single
 * transaction that first checks the fencing epoch, holding the leadership row in share
 * mode so a new epoch cannot begin while the batch commits.
 */
import type pg from 'pg';
import type { AccessOp, Millis, Run, StoreOp, StoredJob, StoredOwner, StoredToken } from '../../core/types.js';
import { jobFromRow, type JobRow } from '../record-rows.js';
import { ACTIVE_STATUSES, FINISHED_STATUSES, fromRow, type RunRow } from '../run-row.js';
import {
  FencedError,
  type AuditPage,
  type AuditQuery,
  type BlacklistEntry,
  decodeRunCursor,
  encodeRunCursor,
  type HistoryLimit,
  type LoadedState,
  type RunPage,
  type RunArchive,
  type RunQuery,
  type Store,
  type WriteResult,
} from '../types.js';
import * as access from './access.js';
import { createPool, inTransaction, parsePostgresUrl } from './connection.js';
import { migrate } from './migrations.js';
import * as notices from './notices.js';
import * as owners from './owners.js';
import { claimRuns, insertRuns, updateRuns } from './run-batches.js';

const ACTIVE_SQL = ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ');
const FINISHED_SQL = FINISHED_STATUSES.map((s) => `'${s}'`).join(', ');

const SQL = {
  epochForShare: 'SELECT epoch FROM leadership WHERE id = 1 FOR SHARE',
  bumpEpoch: 'UPDATE leadership SET epoch = epoch + 1, owner = $1, since = $2 WHERE id = 1 RETURNING epoch',
  putJob: `INSERT INTO jobs (name, spec, cursor, created_at, updated_at, progress) VALUES ($1, $2::jsonb, $3, $4, $5, $6::jsonb)
    ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, cursor = excluded.cursor, updated_at = excluded.updated_at, progress = excluded.progress`,
  deleteJob: 'DELETE FROM jobs WHERE name = $1',
  deleteJobRuns: 'DELETE FROM runs WHERE job = $1 RETURNING id',
  setCursor: 'UPDATE jobs SET cursor = $1 WHERE name = $2',
  setProgress: 'UPDATE jobs SET progress = $1::jsonb WHERE name = $2',
  putMeta: 'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  getMeta: 'SELECT value FROM meta WHERE key = $1',
  blacklist: `INSERT INTO agent_blacklist (agent, reason, since) VALUES ($1, $2, $3)
    ON CONFLICT (agent) DO UPDATE SET reason = excluded.reason`,
  unblacklist: 'DELETE FROM agent_blacklist WHERE agent = $1',
  listBlacklist: 'SELECT agent, reason, since FROM agent_blacklist ORDER BY agent',
  listJobs: 'SELECT * FROM jobs ORDER BY name',
  getJob: 'SELECT * FROM jobs WHERE name = $1',
  getRun: 'SELECT * FROM runs WHERE id = $1',
  heldIds: 'SELECT id FROM runs WHERE id = ANY($1::text[])',
  activeRuns: `SELECT * FROM runs WHERE status IN (${ACTIVE_SQL}) ORDER BY scheduled_at, id`,
  prune: `DELETE FROM runs WHERE job = $1 AND status IN (${FINISHED_SQL}) AND (
      finished_at < $2 OR id IN (
        SELECT id FROM runs WHERE job = $1 AND status IN (${FINISHED_SQL})
        ORDER BY scheduled_at DESC, id DESC OFFSET $3))
    RETURNING id`,
};

export class PostgresStore implements Store, RunArchive {
  readonly description: string;
  private readonly schema: string;
  private readonly pool: pg.Pool;
  private migrated: Promise<void> | null = null;

  constructor(url: string) {
    const target = parsePostgresUrl(url);
    this.description = target.description;
    this.schema = target.schema;
    this.pool = createPool(target, { max: 5, statementMs: 10_000, connectMs: 5_000, idleInTransactionMs: 2_000 }, 'moroccron-store');
  }

  async init(): Promise<void> {
    this.migrated ??= migrate(this.pool, this.schema).catch((error: unknown) => {
      this.migrated = null;
      throw error;
    });
    await this.migrated;
  }

  async beginEpoch(owner: string, now: Millis): Promise<number> {
    const { rows } = await this.pool.query<{ epoch: string }>(SQL.bumpEpoch, [owner, now]);
    return Number(rows[0]!.epoch);
  }

  async loadState(): Promise<LoadedState> {
    return inTransaction(
      this.pool,
      async (client) => ({
        jobs: (await client.query<JobRow>(SQL.listJobs)).rows.map(jobFromRow),
        activeRuns: (await client.query<RunRow>(SQL.activeRuns)).rows.map(fromRow),
        owners: await owners.list(client),
        notices: await notices.list(client),
      }),
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  async write(epoch: number, ops: StoreOp[]): Promise<WriteResult> {
    return inTransaction(this.pool, async (client) => {
      await checkEpoch(client, epoch);
      const result: WriteResult = { accepted: [], refused: [], removedRunIds: [], evictedRunIds: [] };
      // Consecutive claims (and consecutive updates) go as one statement; order is kept.
      for (let i = 0; i < ops.length; ) {
        const op = ops[i]!;
        if (op.op === 'claim-run' || op.op === 'update-run') {
          const runs: Run[] = [];
          for (; i < ops.length && ops[i]!.op === op.op; i++) runs.push((ops[i] as { run: Run }).run);
          if (op.op === 'update-run') {
            await updateRuns(client, runs);
          } else {
            const held = await claimRuns(client, runs);
            runs.forEach((run, n) => (held[n] ? result.accepted : result.refused).push(run.id));
          }
          continue;
        }
        await applyOne(client, op, result);
        i++;
      }
      return result;
    });
  }

  async listJobs(): Promise<StoredJob[]> {
    return (await this.pool.query<JobRow>(SQL.listJobs)).rows.map(jobFromRow);
  }

  async getJob(name: string): Promise<StoredJob | null> {
    const row = (await this.pool.query<JobRow>(SQL.getJob, [name])).rows[0];
    return row ? jobFromRow(row) : null;
  }

  async getRun(id: string): Promise<Run | null> {
    const row = (await this.pool.query<RunRow>(SQL.getRun, [id])).rows[0];
    return row ? fromRow(row) : null;
  }

  async listRuns(query: RunQuery): Promise<RunPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => `$${params.push(value)}`;
    if (query.job !== undefined) where.push(`job = ${param(query.job)}`);
    if (query.status && query.status.length > 0) where.push(`status = ANY(${param(query.status)}::text[])`);
    if (query.since !== undefined) where.push(`scheduled_at >= ${param(query.since)}`);
    const after = query.cursor ? decodeRunCursor(query.cursor) : null;
    if (after) where.push(`(scheduled_at, id) < (${param(after.scheduledAt)}, ${param(after.id)})`);
    const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY scheduled_at DESC, id DESC LIMIT ${param(query.limit + 1)}`;
    const { rows } = await this.pool.query<RunRow>(sql, params);
    const runs = rows.slice(0, query.limit).map(fromRow);
    const nextCursor = rows.length > query.limit ? encodeRunCursor(runs[runs.length - 1]!) : null;
    return { runs, nextCursor };
  }

  async getMeta(key: string): Promise<string | null> {
    return (await this.pool.query<{ value: string }>(SQL.getMeta, [key])).rows[0]?.value ?? null;
  }

  async listBlacklist(): Promise<BlacklistEntry[]> {
    const { rows } = await this.pool.query<{ agent: string; reason: string; since: string }>(SQL.listBlacklist);
    return rows.map((e) => ({ ...e, since: Number(e.since) }));
  }

  listOwners(): Promise<StoredOwner[]> {
    return owners.list(this.pool);
  }

  getOwner(name: string): Promise<StoredOwner | null> {
    return owners.get(this.pool, name);
  }

  /** One transaction, with no epoch check: tokens and their audit lines are not scheduler state. */
  async writeAccess(ops: AccessOp[]): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      for (const op of ops) {
        if (op.op === 'put-token') await access.putToken(client, op.token);
        else await access.putAudit(client, op.entry);
      }
    });
  }

  getToken(id: string): Promise<StoredToken | null> {
    return access.getToken(this.pool, id);
  }

  listTokens(): Promise<StoredToken[]> {
    return access.listTokens(this.pool);
  }

  listAudit(query: AuditQuery): Promise<AuditPage> {
    return access.listAudit(this.pool, query);
  }

  async archiveRuns(runs: Run[]): Promise<void> {
    await inTransaction(this.pool, (client) => insertRuns(client, runs));
  }

  async archivedIds(ids: string[]): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ id: string }>(SQL.heldIds, [ids]);
    return new Set(rows.map((r) => r.id));
  }

  async forgetJob(job: string): Promise<string[]> {
    return (await this.pool.query<{ id: string }>(SQL.deleteJobRuns, [job])).rows.map((r) => r.id);
  }

  async pruneArchive(job: string, limit: HistoryLimit, now: Millis): Promise<string[]> {
    return pruneRuns(this.pool, job, limit, now);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function pruneRuns(db: pg.Pool | pg.PoolClient, job: string, limit: HistoryLimit, now: Millis): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(SQL.prune, [job, now - limit.maxAgeMs, limit.keep]);
  return rows.map((r) => r.id);
}

async function checkEpoch(client: pg.PoolClient, epoch: number): Promise<void> {
  const current = Number((await client.query<{ epoch: string }>(SQL.epochForShare)).rows[0]!.epoch);
  if (current !== epoch) throw new FencedError(epoch, current);
}

async function applyOne(client: pg.PoolClient, op: Exclude<StoreOp, { op: 'claim-run' | 'update-run' }>, result: WriteResult): Promise<void> {
  switch (op.op) {
    case 'put-job': {
      const { spec, cursor, createdAt, updatedAt, progress } = op.job;
      await client.query(SQL.putJob, [spec.name, JSON.stringify(spec), cursor, createdAt, updatedAt, JSON.stringify(progress)]);
      break;
    }
    case 'delete-job':
      await client.query(SQL.deleteJob, [op.name]);
      result.removedRunIds.push(...(await client.query<{ id: string }>(SQL.deleteJobRuns, [op.name])).rows.map((r) => r.id));
      break;
    case 'set-cursor':
      await client.query(SQL.setCursor, [op.cursor, op.job]);
      break;
    case 'set-progress':
      await client.query(SQL.setProgress, [JSON.stringify(op.progress), op.job]);
      break;
    case 'put-meta':
      await client.query(SQL.putMeta, [op.key, op.value]);
      break;
    case 'blacklist-agent':
      await client.query(SQL.blacklist, [op.agent, op.reason, op.since]);
      break;
    case 'unblacklist-agent':
      await client.query(SQL.unblacklist, [op.agent]);
      break;
    case 'prune-runs':
      result.removedRunIds.push(...(await pruneRuns(client, op.job, op, op.now)));
      break;
    case 'put-owner':
      await owners.put(client, op.owner);
      break;
    case 'delete-owner':
      await owners.remove(client, op.name);
      break;
    case 'put-notice':
      await notices.put(client, op.notice);
      break;
    case 'delete-notice':
      await notices.remove(client, op.id);
      break;
    case 'put-audit':
      await access.putAudit(client, op.entry);
      break;
    case 'prune-audit':
      await access.pruneAudit(client, op.before);
      break;
  }
}

/** Open a store and bring its schema up to date. */
export async function openPostgresStore(url: string): Promise<PostgresStore> {
  const store = new PostgresStore(url);
  try {
    await store.init();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
