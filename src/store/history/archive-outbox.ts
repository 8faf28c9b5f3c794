/**
 * What is on its way to the run archive, in order: finished runs to keep, deleted jobs
 * to forget and history limits to apply. Delivery is serial, so a job's forget or prune
 * never overtakes its runs (nor the other way round). While the archive is unreachable the
 * entries wait here and delivery is retried with backoff; the scheduler never waits on the
 * archive.
 */
import type { Millis, Run } from '../../core/types.js';
import type { HistoryLimit, RunArchive } from '../types.js';

export type ArchiveEntry =
  | { kind: 'keep'; run: Run }
  | { kind: 'forget'; job: string }
  /** `reported`: runs already reported removed (by the primary); not reported again. */
  | { kind: 'prune'; job: string; limit: HistoryLimit; now: Millis; reported: ReadonlySet<string> };

export interface OutboxOptions {
  warn(message: string, error?: unknown): void;
  /** Finished runs held while the archive is away; beyond this the oldest are dropped (and said so). */
  maxPendingRuns?: number;
  retryFirstMs?: number;
  retryMaxMs?: number;
}

const RUNS_PER_DELIVERY = 500;

export class ArchiveOutbox {
  private queue: ArchiveEntry[] = [];
  private letGo: string[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | null = null;
  private retryMs: number;
  private failing = false;
  private closed = false;
  private readonly maxPendingRuns: number;
  private readonly retryFirstMs: number;
  private readonly retryMaxMs: number;

  constructor(
    private readonly archive: RunArchive,
    private readonly options: OutboxOptions,
  ) {
    this.maxPendingRuns = options.maxPendingRuns ?? 50_000;
    this.retryFirstMs = options.retryFirstMs ?? 1000;
    this.retryMaxMs = options.retryMaxMs ?? 30_000;
    this.retryMs = this.retryFirstMs;
  }

  /** Queue the entries behind everything already waiting, then deliver what is queued. */
  send(entries: ArchiveEntry[]): Promise<void> {
    for (const entry of entries) {
      if (entry.kind === 'prune') this.replaceWaitingPrune(entry);
      else this.queue.push(entry);
    }
    this.dropBeyondLimit();
    return this.serial(() => this.drain());
  }

  /** Run a task in turn with deliveries, so it sees the archive as the queue left it. */
  serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Runs the archive let go (of forgotten jobs, and pruned) since the last call. */
  takeLetGo(): string[] {
    return this.letGo.splice(0);
  }

  /** Runs queued but not yet in the archive. */
  pendingRunIds(): Set<string> {
    return new Set(this.queue.flatMap((e) => (e.kind === 'keep' ? [e.run.id] : [])));
  }

  /** Jobs whose runs the archive is yet to forget. */
  pendingForgets(): Set<string> {
    return new Set(this.queue.flatMap((e) => (e.kind === 'forget' ? [e.job] : [])));
  }

  /** Runs the primary has pruned (and reported) whose prune the archive is yet to apply. */
  pendingPrunes(): Set<string> {
    return new Set(this.queue.flatMap((e) => (e.kind === 'prune' ? [...e.reported] : [])));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.tail;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const head = this.queue[0]!;
      let delivered: ArchiveEntry[] = [head];
      try {
        if (head.kind === 'forget') {
          this.letGo.push(...(await this.archive.forgetJob(head.job)));
        } else if (head.kind === 'prune') {
          const pruned = await this.archive.pruneArchive(head.job, head.limit, head.now);
          this.letGo.push(...pruned.filter((id) => !head.reported.has(id)));
        } else {
          let n = 0;
          while (n < this.queue.length && n < RUNS_PER_DELIVERY && this.queue[n]!.kind === 'keep') n++;
          delivered = this.queue.slice(0, n);
          await this.archive.archiveRuns(delivered.map((e) => (e as { run: Run }).run));
        }
      } catch (error) {
        this.retryLater(error);
        return;
      }
      // By identity: the queue may have been trimmed or its prunes replaced meanwhile.
      const done = new Set(delivered);
      this.queue = this.queue.filter((e) => !done.has(e));
    }
    if (this.failing && this.queue.length === 0) this.options.warn(`run archive ${this.archive.description} reachable again; the backlog is delivered`);
    this.failing = false;
    this.retryMs = this.retryFirstMs;
  }

  /**
   * A newer prune of a job supersedes one still waiting (its `now` is later and its limit the
   * current one), so an outage queues at most one prune per job.
   */
  private replaceWaitingPrune(entry: Extract<ArchiveEntry, { kind: 'prune' }>): void {
    const reported = new Set(entry.reported);
    this.queue = this.queue.filter((e) => {
      if (e.kind !== 'prune' || e.job !== entry.job) return true;
      for (const id of e.reported) reported.add(id);
      return false;
    });
    this.queue.push({ ...entry, reported });
  }

  private retryLater(error: unknown): void {
    if (!this.failing) {
      this.options.warn(`run archive ${this.archive.description} unreachable; finished runs wait in memory and delivery is retried`, error);
    }
    this.failing = true;
    if (this.retryTimer || this.closed) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.retryMaxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.serial(() => this.drain());
    }, delay);
    this.retryTimer.unref();
  }

  private dropBeyondLimit(): void {
    const excess = this.queue.filter((e) => e.kind === 'keep').length - this.maxPendingRuns;
    if (excess <= 0) return;
    let toDrop = excess;
    this.queue = this.queue.filter((e) => e.kind !== 'keep' || toDrop-- <= 0);
    this.options.warn(
      `run archive backlog over ${this.maxPendingRuns} runs: the ${excess} oldest were dropped from memory (the primary store keeps them until its history cap removes them; the next leader copies what remains)`,
    );
  }
}
