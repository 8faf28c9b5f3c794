/**
 * Read-only questions about the scheduler's state, for the API and metrics. Answers are
 * copies: nobody outside update() holds a reference into the state it mutates.
 */
import type { NodeFacts } from './graph-state.js';
import { filterOf, pageOfJobs, type JobFilterQuery, type JobPage, type JobPageQuery } from './job-page.js';
import type { TimelineJob } from './timeline.js';
import type { SchedulerState } from './state.js';
import type { BackendKind, BlacklistEntry, JobSpec, Millis, Resources, Run, RunStatus, StoredJob } from './types.js';

export interface JobLiveState {
  nextDue: Millis | null;
  activeRuns: string[];
}

export interface SchedulerQueries {
  booted(): boolean;
  backend(): BackendKind;
  /** When the job runs next and which of its runs are unfinished; null for an unknown job. */
  job(name: string): JobLiveState | null;
  /** A page of the jobs, with copies of the stored jobs on it. */
  jobPage(query: JobPageQuery): JobPage<{ job: StoredJob; live: JobLiveState }>;
  /** Every job's spec by name. A spec is replaced whole, never changed: they are shared, not copied. */
  jobSpecs(): Map<string, JobSpec>;
  /** The jobs that are neither paused nor unscheduled, in name order, with their schedules (immutable, so shared). */
  scheduledJobs(): TimelineJob[];
  /** Names of the jobs the job list's filters keep. */
  jobNamesMatching(query: JobFilterQuery): Set<string>;
  /** What a job's node in a graph is decided from (graph-state.ts); null for an unknown job. */
  graphFacts(name: string): NodeFacts | null;
  /** An unfinished run as the scheduler holds it (newer than the store's copy while a batch commits). */
  activeRun(id: string): Run | null;
  /** The local agent's capacity and what launched runs hold of it; null on Mesos. */
  capacity(): { agent: string; resources: Resources; used: Resources } | null;
  frameworkId(): string | null;
  blacklist(): BlacklistEntry[];
  counts(): { jobs: number; waiting: number; unreachable: number; active: Record<ActiveStatus, number> };
}

export function queriesOf(s: Readonly<SchedulerState>): SchedulerQueries {
  return {
    booted: () => s.booted,
    backend: () => s.backend,
    job(name) {
      const entry = s.jobs.get(name);
      return entry ? { nextDue: entry.nextDue, activeRuns: [...entry.active] } : null;
    },
    jobPage(query) {
      const entryAt = (i: number) => s.jobOrder[i]!;
      return pageOfJobs(s.jobOrder.length, entryAt, query, (i) => {
        const entry = entryAt(i);
        return { job: { ...entry.stored }, live: { nextDue: entry.nextDue, activeRuns: [...entry.active] } };
      });
    },
    jobSpecs: () => new Map([...s.jobs].map(([name, entry]) => [name, entry.stored.spec])),
    scheduledJobs() {
      const jobs: TimelineJob[] = [];
      for (const entry of s.jobOrder) if (entry.schedule && !entry.stored.spec.paused) jobs.push({ name: entry.stored.spec.name, schedule: entry.schedule });
      return jobs;
    },
    jobNamesMatching(query) {
      const matches = filterOf(query);
      const names = new Set<string>();
      for (const entry of s.jobOrder) if (!matches || matches(entry)) names.add(entry.stored.spec.name);
      return names;
    },
    graphFacts(name) {
      const entry = s.jobs.get(name);
      if (!entry) return null;
      const active: RunStatus[] = [];
      for (const id of entry.active) {
        const run = s.runs.get(id);
        if (run) active.push(run.status);
      }
      return { spec: entry.stored.spec, progress: entry.stored.progress, active };
    },
    activeRun(id) {
      const run = s.runs.get(id);
      return run ? { ...run, labels: { ...run.labels } } : null;
    },
    capacity: () => (s.capacity ? { agent: s.capacity.id, resources: { ...s.capacity.resources }, used: { ...s.used } } : null),
    frameworkId: () => s.frameworkId,
    blacklist: () => [...s.blacklist.values()].map((e) => ({ ...e })).sort((a, b) => (a.agent < b.agent ? -1 : 1)),
    counts() {
      const active: Record<ActiveStatus, number> = { waiting: 0, queued: 0, launching: 0, running: 0 };
      for (const run of s.runs.values()) if (isActiveStatus(run.status)) active[run.status] += 1;
      return { jobs: s.jobs.size, waiting: s.waiting.length, unreachable: s.unreachable.size, active };
    },
  };
}

type ActiveStatus = 'waiting' | 'queued' | 'launching' | 'running';

const isActiveStatus = (status: RunStatus): status is ActiveStatus =>
  status === 'waiting' || status === 'queued' || status === 'launching' || status === 'running';
