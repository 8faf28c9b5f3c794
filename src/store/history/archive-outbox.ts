/**
 * What is on its way to the run archive, in order: finished runs to keep and deleted jobs
 * to forget. Delivery is serial, so a job's forget never overtakes its runs (nor the other
 * way round). While the archive is unreachable the entries wait here and delivery is
 * retried with backoff; the scheduler never waits on the archive.
 */
import type { Run } from '../../core/types.js';
import type { RunArchive } from '../types.js';

export type ArchiveEntry = { kind: 'keep'; run: Run } | { kind: 'forget'; job: string };

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

  /**
   * Queue the entries behind everything already waiting, then deliver what is queued.
   * Resolves with the runs of forgotten jobs that the archive held.
   */
  send(entries: ArchiveEntry[]): Promise<string[]> {
    this.queue.push(...entries);
    this.dropBeyondLimit();
    return this.serial(() => this.drain());
  }

  /** Run a task in turn with deliveries, so it sees the archive as the queue left it. */
  serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Runs queued but not yet in the archive. */
  pendingRunIds(): Set<string> {
    return new Set(this.queue.flatMap((e) => (e.kind === 'keep' ? [e.run.id] : [])));
  }

  /** Jobs whose runs the archive is yet to forget. */
  pendingForgets(): Set<string> {
    return new Set(this.queue.flatMap((e) => (e.kind === 'forget' ? [e.job] : [])));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.tail;
  }

  private async drain(): Promise<string[]> {
    const forgotten: string[] = [];
    while (this.queue.length > 0 && !this.closed) {
      const head = this.queue[0]!;
      try {
        if (head.kind === 'forget') {
          forgotten.push(...(await this.archive.forgetJob(head.job)));
          this.queue.shift();
        } else {
          let n = 0;
          while (n < this.queue.length && n < RUNS_PER_DELIVERY && this.queue[n]!.kind === 'keep') n++;
          await this.archive.archiveRuns(this.queue.slice(0, n).map((e) => (e as { run: Run }).run));
          this.queue.splice(0, n);
        }
      } catch (error) {
        this.retryLater(error);
        return forgotten;
      }
    }
    if (this.failing && this.queue.length === 0) this.options.warn(`run archive ${this.archive.description} reachable again; the backlog is delivered`);
    this.failing = false;
    this.retryMs = this.retryFirstMs;
    return forgotten;
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
