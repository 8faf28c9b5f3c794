/**
 * Runs tallied as a long load goes, a slice of scheduled time at a time, read from the
 * server's store. History retention removes the oldest runs while the load goes on (the
 * server's default keeps 1,000 per job), so they are counted while they are still there,
 * never at the end. Each occurrence's runs all share its scheduled time, so a duplicate is
 * always inside one slice.
 */
import { duplicateOccurrences, TERMINAL_STATUSES, type RunLedger } from './run-ledger.js';
import { spread, type Spread } from './stats.js';

export interface TallyReport {
  /** Scheduled time covered, [from, to). */
  fromMs: number;
  toMs: number;
  /** jobs × seconds covered: what the schedules asked for. */
  due: number;
  runs: number;
  byStatus: Record<string, number>;
  /** Occurrences due with no run in the store. */
  missing: number;
  /** Runs not finished when their slice was read (at least `lagMs` after their time). */
  unfinishedWhenRead: number;
  duplicates: number;
  startSkewMs: Spread;
}

export class RunTally {
  private readonly skews: number[] = [];
  private readonly byStatus: Record<string, number> = {};
  /** Finished runs by the minute (since `fromMs`) they finished in. */
  private readonly finishedByMinute = new Map<number, number>();
  private readonly occurrences = new Set<string>();
  private cursor: number;
  private runs = 0;
  private unfinished = 0;
  private duplicates = 0;
  private missing = 0;

  /** `jobsPerSecond` jobs each due every second from `fromMs` (a whole second). */
  constructor(
    private readonly ledger: RunLedger,
    private readonly jobsPerSecond: number,
    private readonly fromMs: number,
  ) {
    this.cursor = fromMs;
  }

  /** Count the runs scheduled in [cursor, toMs), toMs rounded down to a whole second. */
  readUpTo(toMs: number): void {
    const to = Math.floor(toMs / 1000) * 1000;
    if (to <= this.cursor) return;
    const runs = this.ledger.runs(this.cursor, to);
    this.duplicates += duplicateOccurrences(runs);
    this.occurrences.clear();
    for (const r of runs) {
      this.runs++;
      this.occurrences.add(`${r.job} ${r.scheduledAt}`);
      this.byStatus[r.status] = (this.byStatus[r.status] ?? 0) + 1;
      if (r.startedAt !== null) this.skews.push(r.startedAt - r.scheduledAt);
      if (!(TERMINAL_STATUSES as readonly string[]).includes(r.status)) this.unfinished++;
      if (r.finishedAt !== null) {
        const minute = Math.floor((r.finishedAt - this.fromMs) / 60_000);
        this.finishedByMinute.set(minute, (this.finishedByMinute.get(minute) ?? 0) + 1);
      }
    }
    this.missing += ((to - this.cursor) / 1000) * this.jobsPerSecond - this.occurrences.size;
    this.cursor = to;
  }

  /** Runs finished per minute, over the whole minutes in [fromMinute, toMinute) since the start. */
  finishedPerMinute(fromMinute: number, toMinute: number): number | null {
    if (toMinute <= fromMinute) return null;
    let sum = 0;
    for (let m = fromMinute; m < toMinute; m++) sum += this.finishedByMinute.get(m) ?? 0;
    return Math.round(sum / (toMinute - fromMinute));
  }

  report(): TallyReport {
    return {
      fromMs: this.fromMs,
      toMs: this.cursor,
      due: ((this.cursor - this.fromMs) / 1000) * this.jobsPerSecond,
      runs: this.runs,
      byStatus: { ...this.byStatus },
      missing: this.missing,
      unfinishedWhenRead: this.unfinished,
      duplicates: this.duplicates,
      startSkewMs: spread(this.skews),
    };
  }
}
