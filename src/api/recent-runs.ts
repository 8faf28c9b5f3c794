/** Each job's newest finished runs, for the jobs list (`?recent=N`): a sparkline per job. */
import { TERMINAL_STATUSES, skewOf, type Run } from '../core/types.js';
import type { RouteStore } from './route-store.js';

const FINISHED = [...TERMINAL_STATUSES];

/** Store reads at once: enough to keep a networked store busy, few enough not to flood it. */
const PARALLEL_READS = 16;

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

export function recentRunView(run: Run) {
  return {
    id: run.id,
    status: run.status,
    scheduledAt: iso(run.scheduledAt)!,
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    durationMs: run.startedAt !== null && run.finishedAt !== null ? run.finishedAt - run.startedAt : null,
    skewMs: skewOf(run),
  };
}

export type RecentRunJson = ReturnType<typeof recentRunView>;

/** Per job name, its newest `count` finished runs, newest first. */
export async function recentRuns(store: RouteStore, jobs: string[], count: number): Promise<Map<string, RecentRunJson[]>> {
  const found = new Map<string, RecentRunJson[]>();
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const page = await store.listRuns({ job, status: FINISHED, limit: count });
      found.set(job, page.runs.map(recentRunView));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, jobs.length) }, worker));
  return found;
}
