/**
 * The Store on ZooKeeper (layout in layout.ts). Each write batch is one multi that begins
 * with `check(<base>/epoch, epoch)`; a deposed leader's multi fails there (FencedError).
 *
 * Limits, so run history cannot bloat ZooKeeper (the Chronos failure was a list of runs in
 * one znode): every run is its own small znode (reasons cut to MAX_RUN_TEXT), no znode
 * exceeds MAX_ZNODE_BYTES, and a job keeps at most `history` (default 100, `?history=`)
 * finished runs here; the oldest go on the write that finishes a run (and a `prune-runs` op
 * applies the job's own history limit within its batch). So ZooKeeper holds
 * about jobs × (history + unfinished) runs of ~300-600 bytes, plus one claim-key znode each.
 * Longer history goes to a run archive in PostgreSQL or SQLite (`--history-store`).
 * The audit log is bounded too: the newest AUDIT_KEEP (10,000) entries stay, each cut to
 * MAX_AUDIT_BYTES (see access.ts). Tokens and their audit lines are written by writeAccess,
 * one multi with no epoch check.
 */
import type { AccessOp, Millis, Run, StoreOp, StoredJob, StoredOwner, StoredToken } from '../../core/types.js';
import { newestFirst } from '../run-row.js';
import {
  FencedError,
  decodeRunCursor,
  encodeRunCursor,
  type AuditPage,
  type AuditQuery,
  type BlacklistEntry,
  type LoadedState,
  type RunPage,
  type RunQuery,
  type Store,
  type WriteResult,
} from '../types.js';
import { planAccess, readAudit, readToken, readTokens } from './access.js';
import { BatchView } from './batch-view.js';
import { chunkOps } from './chunks.js';
import { decodeBlacklist, decodeJob, decodeOwner, decodeRun } from './codec.js';
import { currentEpoch, ensureEpochNode, raiseEpoch } from './epoch.js';
import { TOP_LEVEL, ZkLayout, decodeSegment, parseActiveName } from './layout.js';
import { readNotices } from './notices.js';
import { planWrite } from './plan-write.js';
import { parseStoreUrl, type ZooKeeperStoreUrl } from './store-url.js';
import { ZkCode, ZkError, ZkSession, hasCode } from './zk-session.js';

/** The store holds no ephemeral nodes, so a long timeout lets it ride out a ZooKeeper restart. */
const STORE_SESSION_TIMEOUT_MS = 10_000;
/** A batch that loses a race (a node created or removed meanwhile) is planned again. */
const WRITE_ATTEMPTS = 3;

const isRace = (error: unknown): boolean => error instanceof ZkError && [ZkCode.NODE_EXISTS, ZkCode.NO_NODE, ZkCode.NOT_EMPTY].includes(error.code);

export class ZooKeeperStore implements Store {
  readonly description: string;
  readonly history: number;
  private readonly target: ZooKeeperStoreUrl;
  private readonly layout: ZkLayout;
  private current: Promise<ZkSession> | null = null;
  private closed = false;

  constructor(url: string) {
    this.target = parseStoreUrl(url);
    this.description = this.target.description;
    this.history = this.target.history;
    this.layout = new ZkLayout(this.target.path);
  }

  /** The live session, opening a new one after the last expired. */
  private async session(): Promise<ZkSession> {
    if (this.closed) throw new Error('the ZooKeeper store is closed');
    const open = this.current;
    if (open) {
      const session = await open.catch(() => null);
      if (session && !session.isDead) return session;
      if (this.current !== open) return this.session();
    }
    const next = ZkSession.open(this.target.connectString, { sessionTimeoutMs: STORE_SESSION_TIMEOUT_MS, auth: this.target.auth });
    this.current = next;
    next.catch(() => {
      if (this.current === next) this.current = null;
    });
    return next;
  }

  async init(): Promise<void> {
    const session = await this.session();
    await session.mkdirp(this.layout.root);
    await Promise.all(
      TOP_LEVEL.map((dir) =>
        session.create(this.layout.dir(dir), Buffer.alloc(0)).catch((error: unknown) => {
          if (!hasCode(error, ZkCode.NODE_EXISTS)) throw error;
        }),
      ),
    );
    await ensureEpochNode(session, this.layout.epoch);
  }

  async beginEpoch(owner: string, now: Millis): Promise<number> {
    return raiseEpoch(await this.session(), this.layout.epoch, owner, now);
  }

  async loadState(): Promise<LoadedState> {
    const session = await this.session();
    const [jobs, names, owners, notices] = await Promise.all([
      this.listJobs(),
      session.children(this.layout.dir('active')),
      this.listOwners(),
      readNotices(session, this.layout),
    ]);
    const entries = names.map(parseActiveName).filter((e) => e !== null);
    const runs = await Promise.all(entries.map((e) => this.readRun(session, this.layout.run(e.job, e.id))));
    const activeRuns = runs.filter((r) => r !== null).sort((a, b) => a.scheduledAt - b.scheduledAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { jobs, activeRuns, owners, notices };
  }

  async write(epoch: number, ops: StoreOp[]): Promise<WriteResult> {
    return this.commit(epoch, (view) => planWrite(view, this.layout, ops, this.history));
  }

  /** Plan against a fresh view, then apply it as multis fenced by the epoch; replan after a lost race. */
  private async commit(epoch: number, plan: (view: BatchView) => Promise<WriteResult>): Promise<WriteResult> {
    for (let attempt = 1; ; attempt++) {
      const session = await this.session();
      if (epoch < 1) throw new FencedError(epoch, await currentEpoch(session, this.layout.epoch));
      const view = new BatchView(session);
      const result = await plan(view);
      try {
        for (const ops of chunkOps({ kind: 'check', path: this.layout.epoch, version: epoch }, view.ops())) await session.multi(ops);
        return result;
      } catch (error) {
        if (error instanceof ZkError && error.opIndex === 0) throw new FencedError(epoch, await currentEpoch(session, this.layout.epoch));
        if (!isRace(error) || attempt >= WRITE_ATTEMPTS) throw error;
      }
    }
  }

  /** One multi with no epoch check: tokens and their audit lines are not scheduler state. */
  async writeAccess(ops: AccessOp[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const session = await this.session();
      const view = new BatchView(session);
      await planAccess(view, this.layout, ops);
      try {
        const changes = view.ops();
        if (changes.length > 0) await session.multi(changes);
        return;
      } catch (error) {
        if (!isRace(error) || attempt >= WRITE_ATTEMPTS) throw error;
      }
    }
  }

  async getToken(id: string): Promise<StoredToken | null> {
    return readToken(await this.session(), this.layout, id);
  }

  async listTokens(): Promise<StoredToken[]> {
    return readTokens(await this.session(), this.layout);
  }

  async listAudit(query: AuditQuery): Promise<AuditPage> {
    return readAudit(await this.session(), this.layout, query);
  }

  async listJobs(): Promise<StoredJob[]> {
    const session = await this.session();
    const names = (await session.children(this.layout.dir('jobs'))).map(decodeSegment).sort();
    const jobs = await Promise.all(names.map((name) => this.getJob(name)));
    return jobs.filter((j) => j !== null);
  }

  async getJob(name: string): Promise<StoredJob | null> {
    const node = await (await this.session()).get(this.layout.job(name));
    return node ? decodeJob(node.data) : null;
  }

  async listOwners(): Promise<StoredOwner[]> {
    const session = await this.session();
    const names = (await session.children(this.layout.dir('owners'))).map(decodeSegment).sort();
    const owners = await Promise.all(names.map((name) => this.getOwner(name)));
    return owners.filter((o) => o !== null);
  }

  async getOwner(name: string): Promise<StoredOwner | null> {
    const node = await (await this.session()).get(this.layout.owner(name));
    return node ? decodeOwner(node.data) : null;
  }

  async getRun(id: string): Promise<Run | null> {
    const session = await this.session();
    const active = (await session.children(this.layout.dir('active'))).map(parseActiveName).find((e) => e?.id === id);
    if (active) return this.readRun(session, this.layout.run(active.job, id));
    // A finished run: look under every job (one pipelined round of exists calls).
    const jobs = (await session.children(this.layout.dir('runs'))).map(decodeSegment);
    const found = await Promise.all(jobs.map((job) => session.exists(this.layout.run(job, id))));
    const job = jobs[found.findIndex((v) => v !== null)];
    return job === undefined ? null : this.readRun(session, this.layout.run(job, id));
  }

  /**
   * Newest first. History is bounded per job, so the matching jobs' runs are read and sorted
   * in memory: at most jobs × (history + unfinished) small znodes for a query across all jobs.
   */
  async listRuns(query: RunQuery): Promise<RunPage> {
    const session = await this.session();
    const jobs = query.job !== undefined ? [query.job] : (await session.children(this.layout.dir('runs'))).map(decodeSegment);
    const after = query.cursor ? decodeRunCursor(query.cursor) : null;
    const statuses = query.status && query.status.length > 0 ? new Set(query.status) : null;
    const matching = (await Promise.all(jobs.map((job) => this.runsOf(job))))
      .flat()
      .filter((r) => !statuses || statuses.has(r.status))
      .filter((r) => query.since === undefined || r.scheduledAt >= query.since)
      .filter((r) => !after || r.scheduledAt < after.scheduledAt || (r.scheduledAt === after.scheduledAt && r.id < after.id))
      .sort(newestFirst);
    const runs = matching.slice(0, query.limit);
    const nextCursor = matching.length > query.limit ? encodeRunCursor(runs[runs.length - 1]!) : null;
    return { runs, nextCursor };
  }

  async getMeta(key: string): Promise<string | null> {
    const node = await (await this.session()).get(this.layout.meta(key));
    return node ? node.data.toString('utf8') : null;
  }

  async listBlacklist(): Promise<BlacklistEntry[]> {
    const session = await this.session();
    const agents = (await session.children(this.layout.dir('blacklist'))).map(decodeSegment).sort();
    const nodes = await Promise.all(agents.map((agent) => session.get(this.layout.blacklisted(agent))));
    return agents.flatMap((agent, i) => (nodes[i] ? [decodeBlacklist(agent, nodes[i].data)] : []));
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = await this.current?.catch(() => null);
    await session?.close();
  }

  private async runsOf(job: string): Promise<Run[]> {
    const session = await this.session();
    const dir = this.layout.runsOf(job);
    const names = await session.children(dir);
    const runs = await Promise.all(names.map((n) => this.readRun(session, `${dir}/${n}`)));
    return runs.filter((r) => r !== null);
  }

  private async readRun(session: ZkSession, path: string): Promise<Run | null> {
    const node = await session.get(path);
    return node ? decodeRun(node.data) : null;
  }
}

export async function openZooKeeperStore(url: string): Promise<ZooKeeperStore> {
  const store = new ZooKeeperStore(url);
  try {
    await store.init();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
