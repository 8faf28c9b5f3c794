/**
 * Jobs read back from SQLite, kept between reads: `GET /api/v1/jobs/{name}` is the API's
 * busiest read, and each was a SELECT and two JSON.parse. A kept job is never stale:
 * - this connection's own writes drop the jobs they touch, before they are applied;
 * - a commit by any other connection (another process on the same file) moves SQLite's
 *   `PRAGMA data_version`, and everything kept is dropped.
 * Kept jobs are deeply frozen: every reader gets the same object, so none may change it.
 */
import type { StoreOp, StoredJob } from '../../core/types.js';
import { deepFreeze } from '../../lib/deep-freeze.js';

export class JobCache {
  /** In order of use, the least recently used first. */
  private readonly jobs = new Map<string, StoredJob>();
  private dataVersion: number | null = null;

  constructor(private readonly capacity: number) {}

  /** Before each read: the connection's `PRAGMA data_version` now. */
  sync(dataVersion: number): void {
    if (dataVersion === this.dataVersion) return;
    this.jobs.clear();
    this.dataVersion = dataVersion;
  }

  get(name: string): StoredJob | undefined {
    const job = this.jobs.get(name);
    if (job === undefined) return undefined;
    this.jobs.delete(name);
    this.jobs.set(name, job);
    return job;
  }

  /** Keeps the job (frozen) and returns it. */
  keep(job: StoredJob): StoredJob {
    const name = job.spec.name;
    this.jobs.delete(name);
    this.jobs.set(name, deepFreeze(job));
    if (this.jobs.size > this.capacity) this.jobs.delete(this.jobs.keys().next().value!);
    return job;
  }

  forget(name: string): void {
    this.jobs.delete(name);
  }
}

/** The job whose row the op changes, if any. */
export function jobChangedBy(op: StoreOp): string | null {
  switch (op.op) {
    case 'put-job':
      return op.job.spec.name;
    case 'delete-job':
      return op.name;
    case 'set-cursor':
    case 'set-progress':
      return op.job;
    default:
      return null;
  }
}
