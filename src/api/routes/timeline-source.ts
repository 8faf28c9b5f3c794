/**
 * Where the timeline's jobs come from, and what is kept between requests. The leader hands
 * over the jobs it holds, with their schedules already parsed; any other member reads every
 * job from its store (1 s at 100,000 jobs on SQLite). A schedule's counts over a window are
 * kept for as long as that window is asked for, and so is the sum over all jobs while the
 * same jobs have the same schedules: asking again, or for the next page, counts nothing.
 */
import { filterOf, type JobFilterQuery } from '../../core/job-page.js';
import type { SchedulerQueries } from '../../core/queries.js';
import { parseSchedule, type Schedule } from '../../core/schedule/index.js';
import { countSchedule, countTimeline, type SparseCounts, type TimelineCounts, type TimelineJob, type TimelineWindow } from '../../core/timeline.js';
import type { JobSpec, StoredJob } from '../../core/types.js';
import { ApiError } from '../errors.js';
import type { RouteStore } from '../route-store.js';

export interface TimelineSource {
  /** The jobs that are neither paused nor unscheduled, in name order. */
  jobs(): Promise<TimelineJob[]>;
  /** A test of a job's name: does the job list's filter keep it. */
  matching(filters: JobFilterQuery): Promise<(name: string) => boolean>;
}

export function leaderTimelineSource(queries: Pick<SchedulerQueries, 'scheduledJobs' | 'jobNamesMatching'>): TimelineSource {
  return {
    jobs: async () => queries.scheduledJobs(),
    async matching(filters) {
      const names = queries.jobNamesMatching(filters);
      return (name) => names.has(name);
    },
  };
}

/** A stored job's schedule; one that no longer parses (a zone gone from this Node's ICU) is a 409 naming it. */
export function scheduleOf(spec: JobSpec): Schedule | null {
  if (spec.schedule === undefined) return null;
  try {
    return parseSchedule(spec.schedule, { timezone: spec.timezone, dst: spec.dst });
  } catch (error) {
    throw new ApiError(409, 'unschedulable', `job ${spec.name}: ${(error as Error).message}`, [{ field: 'schedule', message: (error as Error).message }]);
  }
}

const NO_RUNS = new Set<string>();

/** Reads the store once per request (the source is made for one). */
export function storeTimelineSource(store: Pick<RouteStore, 'listJobs'>): TimelineSource {
  let listed: Promise<StoredJob[]> | null = null;
  const list = () => (listed ??= store.listJobs().then((jobs) => jobs.sort((a, b) => (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0))));
  return {
    async jobs() {
      const jobs: TimelineJob[] = [];
      for (const { spec } of await list()) {
        if (spec.paused) continue;
        const schedule = scheduleOf(spec);
        if (schedule) jobs.push({ name: spec.name, schedule });
      }
      return jobs;
    },
    async matching(filters) {
      const matches = filterOf(filters);
      const names = new Set<string>();
      for (const stored of await list()) if (!matches || matches({ stored, nextDue: null, active: NO_RUNS })) names.add(stored.spec.name);
      return (name) => names.has(name);
    },
  };
}

interface KeptWindow {
  scheduleCounts: WeakMap<Schedule, SparseCounts>;
  /** The last sum over all jobs, and the jobs it was made from. */
  sum: { jobs: TimelineJob[]; counts: TimelineCounts } | null;
}

const sameJobs = (a: readonly TimelineJob[], b: readonly TimelineJob[]): boolean =>
  a.length === b.length && a.every((job, i) => job.name === b[i]!.name && job.schedule === b[i]!.schedule);

/** The windows asked for last (the day and the hour the page shows), most recent last. */
const KEPT_WINDOWS = 2;

export class TimelineCache {
  private readonly windows = new Map<string, KeptWindow>();

  counts(jobs: TimelineJob[], window: TimelineWindow): TimelineCounts {
    const key = `${window.from}/${window.widthMs}/${window.buckets}`;
    let kept = this.windows.get(key);
    if (kept) this.windows.delete(key);
    else kept = { scheduleCounts: new WeakMap(), sum: null };
    this.windows.set(key, kept);
    if (this.windows.size > KEPT_WINDOWS) this.windows.delete(this.windows.keys().next().value!);

    if (kept.sum && sameJobs(kept.sum.jobs, jobs)) return kept.sum.counts;
    const { scheduleCounts } = kept;
    const counts = countTimeline(jobs, window.buckets, (schedule) => {
      let found = scheduleCounts.get(schedule);
      if (!found) {
        found = countSchedule(schedule, window);
        scheduleCounts.set(schedule, found);
      }
      return found;
    });
    kept.sum = { jobs, counts };
    return counts;
  }
}
