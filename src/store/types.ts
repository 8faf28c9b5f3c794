/**
 * The Store contract every state backend implements: SQLite (the embedded default),
 * PostgreSQL, ZooKeeper and etcd, each passing test/helpers/store-contract.ts. Writes are
 * fenced: each carries the writer's epoch and is refused with FencedError once a newer epoch
 * has begun, so a deposed scheduler cannot write.
 */
import type { AccessOp, AuditEntry, BlacklistEntry, Millis, Notice, Run, RunStatus, StoreOp, StoredJob, StoredOwner, StoredToken } from '../core/types.js';

export interface RunQuery {
  job?: string;
  status?: RunStatus[];
  /** Only runs scheduled at or after this time. */
  since?: Millis;
  limit: number;
  /** Opaque, from a previous page's nextCursor. */
  cursor?: string;
}

export interface RunPage {
  runs: Run[];
  nextCursor: string | null;
}

export interface WriteResult {
  /** Claims that took their key. */
  accepted: string[];
  /** Claims whose (job, key) was already taken. */
  refused: string[];
  /**
   * Runs removed by a `delete-job` or `prune-runs` op: their files can go. A tiered store
   * also reports here, with a later write, the runs its archive let go.
   */
  removedRunIds: string[];
  /**
   * Finished runs a bounded store (ZooKeeper, etcd) let go under its history cap. With no
   * run archive behind it they are gone and their files can go too.
   */
  evictedRunIds: string[];
}

export type { BlacklistEntry } from '../core/types.js';

export interface AuditQuery {
  /** Only entries at or after this time. */
  since?: Millis;
  limit: number;
  /** Opaque, from a previous page's nextCursor. */
  cursor?: string;
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  nextCursor: string | null;
}

export interface HistoryLimit {
  keep: number;
  maxAgeMs: Millis;
}

/** Everything a scheduler needs when it takes over. */
export interface LoadedState {
  jobs: StoredJob[];
  /** Runs not finished: waiting, queued, launching, running. */
  activeRuns: Run[];
  owners: StoredOwner[];
  /** The outbox: notices decided and not yet delivered. */
  notices: Notice[];
}

export interface Store {
  /** e.g. "sqlite:/var/lib/moroccron/moroccron.db" (credentials never included). */
  readonly description: string;
  /** Create or migrate the schema. */
  init(): Promise<void>;
  /** Start a new term of leadership: an epoch above every earlier one. */
  beginEpoch(owner: string, now: Millis): Promise<number>;
  /** Everything the scheduler needs at start: jobs and the runs that are not finished. */
  loadState(): Promise<LoadedState>;
  /**
   * Apply the ops in one transaction, if `epoch` is still current. Replaying a batch whose
   * commit went through but whose answer was lost changes nothing more, and its claims
   * come back accepted: a claim whose (job, key) the same run ID holds is accepted.
   */
  write(epoch: number, ops: StoreOp[]): Promise<WriteResult>;
  listJobs(): Promise<StoredJob[]>;
  getJob(name: string): Promise<StoredJob | null>;
  getRun(id: string): Promise<Run | null>;
  listRuns(query: RunQuery): Promise<RunPage>;
  getMeta(key: string): Promise<string | null>;
  listBlacklist(): Promise<BlacklistEntry[]>;
  listOwners(): Promise<StoredOwner[]>;
  getOwner(name: string): Promise<StoredOwner | null>;
  /**
   * Tokens and audit entries, unfenced: any member writes them (the tokens API), and so does
   * `moroccron token` with no server. A put-token replaces the token with its id.
   */
  writeAccess(ops: AccessOp[]): Promise<void>;
  getToken(id: string): Promise<StoredToken | null>;
  /** Every token, revoked and expired ones included, oldest first. */
  listTokens(): Promise<StoredToken[]>;
  listAudit(query: AuditQuery): Promise<AuditPage>;
  close(): Promise<void>;
}

/**
 * Where finished runs live on after a bounded store (ZooKeeper, etcd) lets them go: the
 * runs table of a SQLite or PostgreSQL database. Runs arrive already committed to the
 * fenced primary store, so the archive itself is not fenced; adding a run it holds is a no-op.
 */
export interface RunArchive {
  readonly description: string;
  /** Add finished runs; any already held are left as they are (a finished run never changes). */
  archiveRuns(runs: Run[]): Promise<void>;
  /** The subset of `ids` the archive holds. */
  archivedIds(ids: string[]): Promise<Set<string>>;
  /** Drop every run of a deleted job; returns their IDs. */
  forgetJob(job: string): Promise<string[]>;
  /** Apply a job's history limit to the archive; returns the IDs removed. */
  pruneArchive(job: string, limit: HistoryLimit, now: Millis): Promise<string[]>;
  getRun(id: string): Promise<Run | null>;
  listRuns(query: RunQuery): Promise<RunPage>;
  close(): Promise<void>;
}

export class FencedError extends Error {
  constructor(
    readonly epoch: number,
    readonly current: number,
  ) {
    super(`write refused: epoch ${epoch} was superseded by epoch ${current} (another scheduler took over)`);
    this.name = 'FencedError';
  }
}

/** Audit pages go newest first by (at, id). */
export const encodeAuditCursor = (entry: Pick<AuditEntry, 'at' | 'id'>): string => Buffer.from(`${entry.at}:${entry.id}`).toString('base64url');

export function decodeAuditCursor(cursor: string): { at: Millis; id: string } | null {
  const decoded = decodeRunCursor(cursor);
  return decoded && { at: decoded.scheduledAt, id: decoded.id };
}

export const encodeRunCursor = (run: Pick<Run, 'scheduledAt' | 'id'>): string =>
  Buffer.from(`${run.scheduledAt}:${run.id}`).toString('base64url');

export function decodeRunCursor(cursor: string): { scheduledAt: Millis; id: string } | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  const scheduledAt = Number(text.slice(0, colon));
  if (colon < 1 || !Number.isFinite(scheduledAt)) return null;
  return { scheduledAt, id: text.slice(colon + 1) };
}
