/** The jobs table's rules, apart from React: each job's state, search, filters and sorting. */
import type { JobView, RecentRun, Run, RunStatus } from '../api/types';
import { isActiveStatus } from '../api/types';
import { describeSchedule } from './schedule';
import type { JobState } from './status';

export const RECENT_RUNS = 20;

export function jobState(job: JobView): JobState {
  if (job.paused) return 'paused';
  if (job.state.activeRuns.length > 0) return 'running';
  const last = job.recent?.[0];
  if (!last) return 'idle';
  return last.status === 'failed' || last.status === 'lost' ? 'failing' : 'ok';
}

export const lastStatus = (job: JobView): RunStatus | null => job.recent?.[0]?.status ?? null;

export type StateFilter = '' | 'active' | 'paused' | 'failing' | 'running';

export interface JobFilters {
  query: string;
  owner: string;
  label: string;
  state: StateFilter;
}

export const labelPairs = (job: JobView): string[] => Object.entries(job.labels).map(([k, v]) => `${k}=${v}`);

/** Lower-cased text a search looks through: name, description and labels. */
const searchText = new WeakMap<JobView, string>();
function haystack(job: JobView): string {
  let text = searchText.get(job);
  if (text === undefined) {
    text = [job.name, job.description ?? '', ...labelPairs(job)].join('\n').toLowerCase();
    searchText.set(job, text);
  }
  return text;
}

export function matches(job: JobView, filters: JobFilters): boolean {
  if (filters.owner && !job.owners.includes(filters.owner)) return false;
  if (filters.label && !labelPairs(job).includes(filters.label)) return false;
  if (filters.state) {
    const state = jobState(job);
    if (filters.state === 'active' && job.paused) return false;
    if (filters.state !== 'active' && state !== filters.state) return false;
  }
  const words = filters.query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length > 0) {
    const text = haystack(job);
    if (!words.every((w) => text.includes(w))) return false;
  }
  return true;
}

export type SortKey = 'name' | 'schedule' | 'timezone' | 'next' | 'status';
export type SortDirection = 'asc' | 'desc';

const STATUS_ORDER: Record<string, number> = { failed: 0, lost: 1, killed: 2, running: 3, launching: 4, queued: 5, waiting: 6, skipped: 7, succeeded: 8 };

const scheduleWords = new WeakMap<JobView, string>();
export function scheduleText(job: JobView): string {
  let text = scheduleWords.get(job);
  if (text === undefined) {
    text = describeSchedule(job.schedule, job.timezone) ?? job.schedule ?? '';
    scheduleWords.set(job, text);
  }
  return text;
}

function compare(a: JobView, b: JobView, key: SortKey): number {
  switch (key) {
    case 'name':
      return a.name.localeCompare(b.name);
    case 'schedule':
      return scheduleText(a).localeCompare(scheduleText(b));
    case 'timezone':
      return a.timezone.localeCompare(b.timezone);
    case 'next': {
      const x = nextRun(a);
      const y = nextRun(b);
      return x === y ? 0 : x === null ? 1 : y === null ? -1 : x < y ? -1 : 1;
    }
    case 'status': {
      const x = a.state.activeRuns.length > 0 ? -1 : STATUS_ORDER[lastStatus(a) ?? ''] ?? 9;
      const y = b.state.activeRuns.length > 0 ? -1 : STATUS_ORDER[lastStatus(b) ?? ''] ?? 9;
      return x - y;
    }
  }
}

const nextRun = (job: JobView): string | null => (job.paused ? null : job.state.nextRunAt);

export function sortJobs(jobs: JobView[], key: SortKey, direction: SortDirection): JobView[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...jobs].sort((a, b) => {
    // Jobs that never run again stay last whichever way the times are sorted.
    if (key === 'next' && (nextRun(a) === null) !== (nextRun(b) === null)) return nextRun(a) === null ? 1 : -1;
    return sign * compare(a, b, key) || a.name.localeCompare(b.name);
  });
}

/** A run event applied to a job in the list: its active runs and its recent finished runs. */
export function withRun(job: JobView, run: Run): JobView {
  const active = isActiveStatus(run.status);
  const activeRuns = active
    ? job.state.activeRuns.includes(run.id)
      ? job.state.activeRuns
      : [...job.state.activeRuns, run.id]
    : job.state.activeRuns.filter((id) => id !== run.id);
  let recent = job.recent;
  if (!active) {
    const finished: RecentRun = {
      id: run.id,
      status: run.status,
      scheduledAt: run.scheduledAt,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      durationMs: run.durationMs,
      skewMs: run.skewMs,
    };
    recent = [finished, ...(recent ?? []).filter((r) => r.id !== run.id)].slice(0, RECENT_RUNS);
  }
  return { ...job, state: { ...job.state, activeRuns }, recent };
}

/** Whether this run is news to the list (a new claim moves the job's next run time). */
export const isNewRun = (job: JobView, run: Run): boolean =>
  !job.state.activeRuns.includes(run.id) && !(job.recent ?? []).some((r) => r.id === run.id);
