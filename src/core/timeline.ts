/**
 * The timeline: how many runs every job has due in each bucket of a window, and pages of
 * those jobs. Jobs with the same schedule share one Schedule (schedule/index.ts), so a
 * schedule is counted once for all of its jobs (100,000 jobs of the realistic mix have
 * about 10,000 schedules), and its counts are kept sparse: a daily job has one bucket with
 * a run, not 288 numbers.
 */
import type { Schedule } from './schedule/index.js';

export interface TimelineWindow {
  /** Start of the first bucket. */
  from: number;
  widthMs: number;
  buckets: number;
}

/** One schedule's runs over a window: the buckets that have any, ascending, and how many. */
export interface SparseCounts {
  readonly at: readonly number[];
  readonly runs: readonly number[];
  readonly total: number;
  /** The most in one bucket. */
  readonly most: number;
}

export interface TimelineJob {
  name: string;
  schedule: Schedule;
}

export interface TimelineRow {
  name: string;
  counts: SparseCounts;
}

/** Every job's counts over one window, and the sums the page's summary shows. */
export interface TimelineCounts {
  /** Runs per bucket, all jobs. */
  totals: number[];
  /** Jobs with at least one run, per bucket. */
  jobCounts: number[];
  /** Jobs with at least one run in the window. */
  firing: number;
  /** The most runs one job has in one bucket (what the heat scale of the job rows goes up to). */
  maxPerJob: number;
  /** Jobs with runs, by name. */
  byName: TimelineRow[];
  /** The same, most runs first, then by name. */
  byRuns: TimelineRow[];
}

export function countSchedule(schedule: Schedule, window: TimelineWindow): SparseCounts {
  const dense = schedule.countPerSpan(window.from, window.widthMs, window.buckets);
  const at: number[] = [];
  const runs: number[] = [];
  let total = 0;
  let most = 0;
  dense.forEach((n, i) => {
    if (n === 0) return;
    at.push(i);
    runs.push(n);
    total += n;
    if (n > most) most = n;
  });
  return { at, runs, total, most };
}

/** Runs in bucket `index`. */
export function runsIn(counts: SparseCounts, index: number): number {
  let [lo, hi] = [0, counts.at.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (counts.at[mid]! < index) lo = mid + 1;
    else hi = mid;
  }
  return counts.at[lo] === index ? counts.runs[lo]! : 0;
}

export function denseCounts(counts: SparseCounts, buckets: number): number[] {
  const dense = new Array<number>(buckets).fill(0);
  counts.at.forEach((index, i) => (dense[index] = counts.runs[i]!));
  return dense;
}

/** `jobs` in name order; `countsOf` counts a schedule over the window (and may remember it). */
export function countTimeline(jobs: readonly TimelineJob[], buckets: number, countsOf: (schedule: Schedule) => SparseCounts): TimelineCounts {
  const byName: TimelineRow[] = [];
  const jobsPerSchedule = new Map<SparseCounts, number>();
  for (const job of jobs) {
    const counts = countsOf(job.schedule);
    if (counts.total === 0) continue;
    byName.push({ name: job.name, counts });
    jobsPerSchedule.set(counts, (jobsPerSchedule.get(counts) ?? 0) + 1);
  }
  const totals = new Array<number>(buckets).fill(0);
  const jobCounts = new Array<number>(buckets).fill(0);
  let maxPerJob = 0;
  for (const [counts, jobCount] of jobsPerSchedule) {
    counts.at.forEach((index, i) => {
      totals[index]! += counts.runs[i]! * jobCount;
      jobCounts[index]! += jobCount;
    });
    if (counts.most > maxPerJob) maxPerJob = counts.most;
  }
  // A stable sort of jobs in name order: equal totals stay by name.
  const byRuns = [...byName].sort((a, b) => b.counts.total - a.counts.total);
  return { totals, jobCounts, firing: byName.length, maxPerJob, byName, byRuns };
}

export type TimelineSort = 'runs' | 'name';

/** Where the previous page ended: its last job, and (sort=runs) that job's runs then. */
export interface TimelineCursor {
  name: string;
  runs?: number;
}

export interface TimelinePageQuery {
  limit: number;
  /** runs: most runs first (in `bucket` when given, else in the window), then by name. */
  sort: TimelineSort;
  /** Only jobs with runs in this bucket. */
  bucket?: number;
  cursor?: TimelineCursor;
  /** The job list's filters, as a test of a job's name; absent: every job. */
  matches?: (name: string) => boolean;
}

export interface TimelinePage {
  rows: { row: TimelineRow; runs: number }[];
  /** Jobs matching the filters (with runs in `bucket`, when given), on every page. */
  total: number;
  next: TimelineCursor | null;
}

const byNameOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function pageOfTimeline(counts: TimelineCounts, query: TimelinePageQuery): TimelinePage {
  const { bucket, cursor, matches, sort } = query;
  // The jobs in the page's order, and their runs (in the bucket, or in all): no allocation per job without a bucket.
  let list: readonly TimelineRow[];
  let runsAt: (i: number) => number;
  if (bucket === undefined) {
    list = sort === 'name' ? counts.byName : counts.byRuns;
    runsAt = (i) => list[i]!.counts.total;
  } else {
    const firing: { row: TimelineRow; runs: number }[] = [];
    for (const row of counts.byName) {
      const runs = runsIn(row.counts, bucket);
      if (runs > 0) firing.push({ row, runs });
    }
    if (sort === 'runs') firing.sort((a, b) => b.runs - a.runs);
    list = firing.map((f) => f.row);
    runsAt = (i) => firing[i]!.runs;
  }
  const isAfterCursor = (i: number): boolean => {
    if (cursor === undefined) return true;
    const after = byNameOrder(list[i]!.name, cursor.name) > 0;
    if (sort === 'name' || cursor.runs === undefined) return after;
    const runs = runsAt(i);
    return runs < cursor.runs || (runs === cursor.runs && after);
  };
  const rows: { row: TimelineRow; runs: number }[] = [];
  let total = 0;
  let more = false;
  for (let i = 0; i < list.length; i++) {
    if (matches && !matches(list[i]!.name)) continue;
    total++;
    if (more || !isAfterCursor(i)) continue;
    if (rows.length < query.limit) rows.push({ row: list[i]!, runs: runsAt(i) });
    else more = true;
  }
  const last = rows[rows.length - 1];
  const next = more && last ? (sort === 'runs' ? { name: last.row.name, runs: last.runs } : { name: last.row.name }) : null;
  return { rows, total, next };
}
