/**
 * The Store contract every state backend implements (SQLite now; PostgreSQL, ZooKeeper
 * and etcd next). Writes are fenced: each carries the writer's epoch and is refused with
 * FencedError once a newer epoch has begun, so a deposed scheduler cannot write.
 */
import type { Millis, Run, RunStatus, StoreOp, StoredJob } from '../core/types.js';

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
  /** Runs removed with a deleted job: their files can go. */
  removedRunIds: string[];
}

export interface BlacklistEntry {
  agent: string;
  reason: string;
  since: Millis;
}

export interface HistoryLimit {
  keep: number;
  maxAgeMs: Millis;
}

export interface Store {
  /** e.g. "sqlite:/var/lib/moroccron/moroccron.db" (credentials never included). */
  readonly description: string;
  /** Create or migrate the schema. */
  init(): Promise<void>;
  /** Start a new term of leadership: an epoch above every earlier one. */
  beginEpoch(owner: string, now: Millis): Promise<number>;
  /** Everything the scheduler needs at start: jobs and the runs that are not finished. */
  loadState(): Promise<{ jobs: StoredJob[]; activeRuns: Run[] }>;
  /** Apply the ops in one transaction, if `epoch` is still current. */
  write(epoch: number, ops: StoreOp[]): Promise<WriteResult>;
  listJobs(): Promise<StoredJob[]>;
  getJob(name: string): Promise<StoredJob | null>;
  getRun(id: string): Promise<Run | null>;
  listRuns(query: RunQuery): Promise<RunPage>;
  getMeta(key: string): Promise<string | null>;
  listBlacklist(): Promise<BlacklistEntry[]>;
  /** Remove a job's finished runs beyond its history limit; returns their IDs. */
  prune(epoch: number, job: string, limit: HistoryLimit, now: Millis): Promise<string[]>;
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

export const encodeRunCursor = (run: Pick<Run, 'scheduledAt' | 'id'>): string =>
  Buffer.from(`${run.scheduledAt}:${run.id}`).toString('base64url');

export function decodeRunCursor(cursor: string): { scheduledAt: Millis; id: string } | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  const scheduledAt = Number(text.slice(0, colon));
  if (colon < 1 || !Number.isFinite(scheduledAt)) return null;
  return { scheduledAt, id: text.slice(colon + 1) };
}
