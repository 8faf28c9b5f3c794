/**
 * A bounded store (ZooKeeper, etcd) with its run history kept in a SQL run archive.
 *
 * The primary holds jobs, owners, the notice outbox, tokens, the audit log, unfinished runs
 * and the newest finished runs (its `?history=` cap) and does all the fencing. Once the
 * primary has committed a finished run, the run is copied to the archive; reads merge the two. The scheduler never
 * waits on the archive: its deliveries queue in an outbox and retry, and a read falls back
 * to the primary alone.
 *
 * Nothing is lost to the cap: a run is evicted only after `history` newer runs of its job
 * have finished, long after its own delivery; a new leader copies every finished run the
 * primary still holds (the archive ignores runs it has), which covers deliveries cut short
 * by a crash. Evicted runs keep their files, which go when the archive prunes them.
 *
 * A `prune-runs` op prunes the primary within its fenced batch and the archive after the
 * deliveries queued before it, with the same limit and `now`. As the archive holds every
 * finished run the primary held, it lets go of the same runs and older ones: the primary's
 * are reported at once, the archive's others with a later write.
 */
import { isTerminal, type AccessOp, type Millis, type Run, type StoreOp, type StoredJob, type StoredOwner, type StoredToken } from '../../core/types.js';
import { FINISHED_STATUSES } from '../run-row.js';
import type { AuditPage, AuditQuery, BlacklistEntry, LoadedState, RunArchive, RunPage, RunQuery, Store, WriteResult } from '../types.js';
import { ArchiveOutbox, type ArchiveEntry, type OutboxOptions } from './archive-outbox.js';
import { mergeRunPages } from './merge-pages.js';

const COPY_PAGE = 500;

export class TieredStore implements Store {
  readonly description: string;
  private readonly outbox: ArchiveOutbox;
  private copying: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    readonly primary: Store,
    readonly archive: RunArchive,
    private readonly options: OutboxOptions,
  ) {
    this.description = `${primary.description} (history: ${archive.description})`;
    this.outbox = new ArchiveOutbox(archive, options);
  }

  init(): Promise<void> {
    return this.primary.init();
  }

  beginEpoch(owner: string, now: Millis): Promise<number> {
    return this.primary.beginEpoch(owner, now);
  }

  /** Called as a leader takes over: it also starts copying what the primary holds to the archive. */
  async loadState(): Promise<LoadedState> {
    const state = await this.primary.loadState();
    this.copying = this.copyFinishedRuns(state.jobs.map((j) => j.spec.name));
    return state;
  }

  async write(epoch: number, ops: StoreOp[]): Promise<WriteResult> {
    const result = await this.primary.write(epoch, ops);
    const accepted = new Set(result.accepted);
    const reported: ReadonlySet<string> = new Set(result.removedRunIds);
    const entries: ArchiveEntry[] = [];
    for (const op of ops) {
      if (op.op === 'delete-job') entries.push({ kind: 'forget', job: op.name });
      if (op.op === 'prune-runs') entries.push({ kind: 'prune', job: op.job, limit: { keep: op.keep, maxAgeMs: op.maxAgeMs }, now: op.now, reported });
      const finished = (op.op === 'update-run' || (op.op === 'claim-run' && accepted.has(op.run.id))) && isTerminal(op.run.status);
      if (finished) entries.push({ kind: 'keep', run: op.run });
    }
    if (entries.length > 0) void this.outbox.send(entries);
    // What the archive let go since the last write (its deliveries run behind the writes).
    const removed = new Set([...result.removedRunIds, ...this.outbox.takeLetGo()]);
    // Evicted runs live on in the archive (or on their way there), files and all.
    return { ...result, removedRunIds: [...removed], evictedRunIds: [] };
  }

  async getRun(id: string): Promise<Run | null> {
    const run = await this.primary.getRun(id);
    if (run) return run;
    const leaving = this.leavingArchive();
    try {
      const archived = await this.archive.getRun(id);
      return archived && !leaving(archived) ? archived : null;
    } catch (error) {
      this.options.warn(`run archive unreadable; run ${id} looked up in the primary store only`, error);
      return null;
    }
  }

  async listRuns(query: RunQuery): Promise<RunPage> {
    const primary = this.primary.listRuns(query);
    const onlyUnfinished = query.status !== undefined && query.status.length > 0 && query.status.every((s) => !isTerminal(s));
    if (onlyUnfinished) return primary;
    const leaving = this.leavingArchive();
    const archived = this.archive.listRuns(query).then(
      (page) => ({ ...page, runs: page.runs.filter((run) => !leaving(run)) }),
      (error: unknown) => {
        this.options.warn('run archive unreadable; listing runs from the primary store only', error);
        return { runs: [], nextCursor: null };
      },
    );
    return mergeRunPages(query.limit, await Promise.all([primary, archived]));
  }

  listJobs(): Promise<StoredJob[]> {
    return this.primary.listJobs();
  }

  getJob(name: string): Promise<StoredJob | null> {
    return this.primary.getJob(name);
  }

  getMeta(key: string): Promise<string | null> {
    return this.primary.getMeta(key);
  }

  listBlacklist(): Promise<BlacklistEntry[]> {
    return this.primary.listBlacklist();
  }

  listOwners(): Promise<StoredOwner[]> {
    return this.primary.listOwners();
  }

  getOwner(name: string): Promise<StoredOwner | null> {
    return this.primary.getOwner(name);
  }

  writeAccess(ops: AccessOp[]): Promise<void> {
    return this.primary.writeAccess(ops);
  }

  getToken(id: string): Promise<StoredToken | null> {
    return this.primary.getToken(id);
  }

  listTokens(): Promise<StoredToken[]> {
    return this.primary.listTokens();
  }

  listAudit(query: AuditQuery): Promise<AuditPage> {
    return this.primary.listAudit(query);
  }

  /** Finished runs on their way to the archive. */
  get backlog(): number {
    return this.outbox.pendingRunIds().size;
  }

  /** Resolves once the copy a takeover started and the deliveries queued so far have been tried. */
  async settled(): Promise<void> {
    await this.copying;
    await this.outbox.serial(async () => {});
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.copying;
    await this.outbox.close();
    await Promise.allSettled([this.archive.close(), this.primary.close()]);
  }

  /** Job by job, in turn with deliveries, so a copy never brings back a job deleted meanwhile. */
  private async copyFinishedRuns(jobs: string[]): Promise<void> {
    try {
      for (const job of jobs) {
        if (this.closed) return;
        await this.outbox.serial(async () => {
          let cursor: string | null = null;
          do {
            const page: RunPage = await this.primary.listRuns({ job, status: [...FINISHED_STATUSES], limit: COPY_PAGE, ...(cursor ? { cursor } : {}) });
            if (page.runs.length > 0) await this.archive.archiveRuns(page.runs);
            cursor = page.nextCursor;
          } while (cursor && !this.closed);
        });
      }
    } catch (error) {
      this.options.warn('copying finished runs to the run archive stopped; the next leader tries again', error);
    }
  }

  /**
   * Runs on their way out of the archive are not shown: a deleted job's until its forget is
   * delivered, and those the primary pruned until the archive's prune is. Taken before the
   * archive is read, so an entry delivered meanwhile cannot slip a run through.
   */
  private leavingArchive(): (run: Run) => boolean {
    const deleted = this.outbox.pendingForgets();
    const pruned = this.outbox.pendingPrunes();
    return (run) => deleted.has(run.job) || pruned.has(run.id);
  }
}
