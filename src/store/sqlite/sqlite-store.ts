/**
 * The embedded default store: one SQLite file in WAL mode. Every write batch is a single
 * transaction that first checks the fencing epoch.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AccessOp, Millis, Run, StoreOp, StoredJob, StoredOwner, StoredToken } from '../../core/types.js';
import { jobFromRow, type JobRow } from '../record-rows.js';
import { ACTIVE_STATUSES, FINISHED_STATUSES, RUN_COLUMNS, RUN_UPDATE_COLUMNS, fromRow, toRow, type RunRow } from '../run-row.js';
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
import { withDiskSpace } from './disk-space.js';
import { JobCache, jobChangedBy } from './job-cache.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteAccess } from './access.js';
import { SqliteNotices } from './notices.js';
import { SqliteOwners } from './owners.js';

interface JobParams {
  name: string;
  spec: string;
  cursor: number | null;
  created_at: number;
  updated_at: number;
  progress: string;
}

const questionMarks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
const ACTIVE_SQL = ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ');
const FINISHED_SQL = FINISHED_STATUSES.map((s) => `'${s}'`).join(', ');
const RUN_NAMED_VALUES = RUN_COLUMNS.map((c) => `@${c}`).join(', ');
// Not the run's identity: SQLite rewrites the entries of every index that has a column in SET,
// changed or not, and job, key and scheduled_at are in three of them (an update took about
// 11 µs with them, 9.5 without).
const RUN_SET = RUN_UPDATE_COLUMNS.map((c) => `${c} = @${c}`).join(', ');

/** Jobs kept for getJob; beyond that the least recently read go. */
const JOB_CACHE_SIZE = 4096;

export class SqliteStore implements Store, RunArchive {
  readonly description: string;
  private readonly db: Database.Database;
  private readonly sql;
  private applyWrite: Database.Transaction<(epoch: number, ops: StoreOp[]) => WriteResult> | undefined;
  private readonly owners: SqliteOwners;
  private readonly access: SqliteAccess;
  private readonly notices: SqliteNotices;
  private readonly jobCache = new JobCache(JOB_CACHE_SIZE);

  constructor(readonly path: string) {
    this.description = `sqlite:${path}`;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 }); // it holds every job's env
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode; only power loss can undo the last commits.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    const db = this.db;
    this.sql = {
      epoch: db.prepare<[], { epoch: number }>('SELECT epoch FROM leadership WHERE id = 1'),
      bumpEpoch: db.prepare<[string, number], { epoch: number }>(
        'UPDATE leadership SET epoch = epoch + 1, owner = ?, since = ? WHERE id = 1 RETURNING epoch',
      ),
      putJob: db.prepare<JobParams>(
        `INSERT INTO jobs (name, spec, cursor, created_at, updated_at, progress) VALUES (@name, @spec, @cursor, @created_at, @updated_at, @progress)
         ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, cursor = excluded.cursor, updated_at = excluded.updated_at, progress = excluded.progress`,
      ),
      deleteJob: db.prepare<[string]>('DELETE FROM jobs WHERE name = ?'),
      deleteJobRuns: db.prepare<[string], { id: string }>('DELETE FROM runs WHERE job = ? RETURNING id'),
      setCursor: db.prepare<[number, string]>('UPDATE jobs SET cursor = ? WHERE name = ?'),
      setProgress: db.prepare<[string, string]>('UPDATE jobs SET progress = ? WHERE name = ?'),
      claimRun: db.prepare<RunRow>(`INSERT INTO runs (${RUN_COLUMNS.join(', ')}) VALUES (${RUN_NAMED_VALUES}) ON CONFLICT DO NOTHING`),
      claimHeldBy: db.prepare<{ job: string; key: string; id: string }, { held: 1 }>(
        'SELECT 1 AS held FROM runs WHERE job = @job AND key = @key AND id = @id',
      ),
      updateRun: db.prepare<RunRow>(`UPDATE runs SET ${RUN_SET} WHERE id = @id`),
      putMeta: db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      blacklist: db.prepare<[string, string, number]>(
        'INSERT INTO agent_blacklist (agent, reason, since) VALUES (?, ?, ?) ON CONFLICT (agent) DO UPDATE SET reason = excluded.reason',
      ),
      unblacklist: db.prepare<[string]>('DELETE FROM agent_blacklist WHERE agent = ?'),
      listBlacklist: db.prepare<[], BlacklistEntry>('SELECT agent, reason, since FROM agent_blacklist ORDER BY agent'),
      listJobs: db.prepare<[], JobRow>('SELECT * FROM jobs ORDER BY name'),
      getJob: db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE name = ?'),
      // Moves when another connection commits (never for this one's own writes).
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
      getRun: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?'),
      activeRuns: db.prepare<[], RunRow>(`SELECT * FROM runs WHERE status IN (${ACTIVE_SQL}) ORDER BY scheduled_at, id`),
      prune: db.prepare<{ job: string; before: number; keep: number }, { id: string }>(
        `DELETE FROM runs WHERE job = @job AND status IN (${FINISHED_SQL}) AND (
           finished_at < @before OR id IN (
             SELECT id FROM runs WHERE job = @job AND status IN (${FINISHED_SQL})
             ORDER BY scheduled_at DESC, id DESC LIMIT -1 OFFSET @keep))
         RETURNING id`,
      ),
    };
    this.owners = new SqliteOwners(db);
    this.access = new SqliteAccess(db);
    this.notices = new SqliteNotices(db);
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(`${this.path} has schema version ${version}, newer than this moroccron knows (${MIGRATIONS.length}); upgrade moroccron`);
    }
    const apply = this.db.transaction(() => {
      for (let v = version; v < MIGRATIONS.length; v++) {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      }
    });
    apply.immediate();
  }

  async init(): Promise<void> {
    // The schema is migrated when the file is opened, before any statement is prepared.
  }

  async beginEpoch(owner: string, now: Millis): Promise<number> {
    // In autocommit, .get() resets the statement after its row and the commit's error (a
    // full disk) is lost; an explicit transaction's COMMIT throws it.
    try {
      return this.db.transaction(() => this.sql.bumpEpoch.get(owner, now)!.epoch).immediate();
    } catch (error) {
      throw withDiskSpace(this.path, error);
    }
  }

  async loadState(): Promise<LoadedState> {
    return this.db.transaction(() => ({
      // Row by row: with 100,000 jobs, all rows' JSON text at once set the heap's high-water mark.
      jobs: Array.from(this.sql.listJobs.iterate(), jobFromRow),
      activeRuns: this.sql.activeRuns.all().map(fromRow),
      owners: this.owners.list(),
      notices: this.notices.list(),
    }))();
  }

  async write(epoch: number, ops: StoreOp[]): Promise<WriteResult> {
    // Made once: better-sqlite3 builds a wrapper per db.transaction() call, and writes come by the thousand.
    this.applyWrite ??= this.db.transaction((epoch: number, ops: StoreOp[]): WriteResult => {
      this.checkEpoch(epoch);
      const result: WriteResult = { accepted: [], refused: [], removedRunIds: [], evictedRunIds: [] };
      for (const op of ops) {
        switch (op.op) {
          case 'put-job':
            this.sql.putJob.run({
              name: op.job.spec.name,
              spec: JSON.stringify(op.job.spec),
              cursor: op.job.cursor,
              created_at: op.job.createdAt,
              updated_at: op.job.updatedAt,
              progress: JSON.stringify(op.job.progress),
            });
            break;
          case 'delete-job':
            this.sql.deleteJob.run(op.name);
            result.removedRunIds.push(...this.sql.deleteJobRuns.all(op.name).map((r) => r.id));
            break;
          case 'set-cursor':
            this.sql.setCursor.run(op.cursor, op.job);
            break;
          case 'set-progress':
            this.sql.setProgress.run(JSON.stringify(op.progress), op.job);
            break;
          case 'claim-run':
            (this.claim(op.run) ? result.accepted : result.refused).push(op.run.id);
            break;
          case 'update-run':
            this.sql.updateRun.run(toRow(op.run));
            break;
          case 'put-meta':
            this.sql.putMeta.run(op.key, op.value);
            break;
          case 'blacklist-agent':
            this.sql.blacklist.run(op.agent, op.reason, op.since);
            break;
          case 'unblacklist-agent':
            this.sql.unblacklist.run(op.agent);
            break;
          case 'prune-runs':
            result.removedRunIds.push(...this.pruneRuns(op.job, op, op.now));
            break;
          case 'put-owner':
            this.owners.put(op.owner);
            break;
          case 'delete-owner':
            this.owners.delete(op.name);
            break;
          case 'put-notice':
            this.notices.put(op.notice);
            break;
          case 'delete-notice':
            this.notices.delete(op.id);
            break;
          case 'put-audit':
            this.access.putAudit(op.entry);
            break;
          case 'prune-audit':
            this.access.pruneAudit(op.before);
            break;
        }
      }
      return result;
    });
    for (const op of ops) {
      const job = jobChangedBy(op);
      if (job !== null) this.jobCache.forget(job);
    }
    return this.applyWrite.immediate(epoch, ops);
  }

  /** Inserted now, or already held by this very run (an earlier attempt of the batch committed). */
  private claim(run: Run): boolean {
    if (this.sql.claimRun.run(toRow(run)).changes === 1) return true;
    return this.sql.claimHeldBy.get({ job: run.job, key: run.key, id: run.id }) !== undefined;
  }

  private checkEpoch(epoch: number): void {
    const current = this.sql.epoch.get()!.epoch;
    if (current !== epoch) throw new FencedError(epoch, current);
  }

  async listJobs(): Promise<StoredJob[]> {
    return this.sql.listJobs.all().map(jobFromRow);
  }

  async getJob(name: string): Promise<StoredJob | null> {
    this.jobCache.sync(this.sql.dataVersion.get()!);
    const kept = this.jobCache.get(name);
    if (kept) return kept;
    const row = this.sql.getJob.get(name);
    return row ? this.jobCache.keep(jobFromRow(row)) : null;
  }

  async getMeta(key: string): Promise<string | null> {
    return this.sql.getMeta.get(key)?.value ?? null;
  }

  async writeAccess(ops: AccessOp[]): Promise<void> {
    const apply = this.db.transaction(() => {
      for (const op of ops) {
        if (op.op === 'put-token') this.access.putToken(op.token);
        else this.access.putAudit(op.entry);
      }
    });
    try {
      apply.immediate();
    } catch (error) {
      throw withDiskSpace(this.path, error);
    }
  }

  async getToken(id: string): Promise<StoredToken | null> {
    return this.access.getToken(id);
  }

  async listTokens(): Promise<StoredToken[]> {
    return this.access.listTokens();
  }

  async listAudit(query: AuditQuery): Promise<AuditPage> {
    return this.access.listAudit(query);
  }

  async listOwners(): Promise<StoredOwner[]> {
    return this.owners.list();
  }

  async getOwner(name: string): Promise<StoredOwner | null> {
    return this.owners.get(name);
  }

  async listBlacklist(): Promise<BlacklistEntry[]> {
    return this.sql.listBlacklist.all().map((e) => ({ ...e, since: Number(e.since) }));
  }

  async getRun(id: string): Promise<Run | null> {
    const row = this.sql.getRun.get(id);
    return row ? fromRow(row) : null;
  }

  async listRuns(query: RunQuery): Promise<RunPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.job !== undefined) {
      where.push('job = ?');
      params.push(query.job);
    }
    if (query.status && query.status.length > 0) {
      where.push(`status IN (${questionMarks(query.status.length)})`);
      params.push(...query.status);
    }
    if (query.since !== undefined) {
      where.push('scheduled_at >= ?');
      params.push(query.since);
    }
    const after = query.cursor ? decodeRunCursor(query.cursor) : null;
    if (after) {
      where.push('(scheduled_at, id) < (?, ?)');
      params.push(after.scheduledAt, after.id);
    }
    const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY scheduled_at DESC, id DESC LIMIT ?`;
    const rows = this.db.prepare<unknown[], RunRow>(sql).all(...params, query.limit + 1);
    const runs = rows.slice(0, query.limit).map(fromRow);
    const nextCursor = rows.length > query.limit ? encodeRunCursor(runs[runs.length - 1]!) : null;
    return { runs, nextCursor };
  }

  async archiveRuns(runs: Run[]): Promise<void> {
    this.db.transaction(() => {
      for (const run of runs) this.sql.claimRun.run(toRow(run));
    })();
  }

  async archivedIds(ids: string[]): Promise<Set<string>> {
    const held = new Set<string>();
    for (const id of ids) if (this.sql.getRun.get(id)) held.add(id);
    return held;
  }

  async forgetJob(job: string): Promise<string[]> {
    return this.sql.deleteJobRuns.all(job).map((r) => r.id);
  }

  async pruneArchive(job: string, limit: HistoryLimit, now: Millis): Promise<string[]> {
    return this.pruneRuns(job, limit, now);
  }

  private pruneRuns(job: string, limit: HistoryLimit, now: Millis): string[] {
    return this.sql.prune.all({ job, before: now - limit.maxAgeMs, keep: limit.keep }).map((r) => r.id);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
