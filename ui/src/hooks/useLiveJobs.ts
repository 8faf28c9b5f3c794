/**
 * The job list with its recent runs, kept current by the event stream: run events move a
 * row's active runs and sparkline at once; job changes and new claims (which move the next
 * run time) refetch the jobs concerned, batched so a busy minute costs one request. For a
 * list a browser can hold: before it would fetch the whole list again it asks how many jobs
 * there are, and `outgrown` says when there are more than PAGED_ABOVE (the page then pages
 * on the server instead).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { apiRequest, ApiError, jobPath, useApi } from '../api/client';
import { useEvents } from '../api/events';
import type { JobView, SchedulerEvent } from '../api/types';
import { isNewRun, RECENT_RUNS, withRun } from '../lib/job-list';
import { PAGED_ABOVE, type JobPageAnswer } from '../lib/job-paging';

interface JobList {
  jobs: JobView[];
}

/** More dirty jobs than this are fetched as one list. */
const ONE_BY_ONE_LIMIT = 8;
const FLUSH_MS = 1_000;

/** A job's new spec and state, keeping the recent runs the list already has. */
const merged = (fresh: JobView, old: JobView | undefined): JobView => ({ ...fresh, recent: fresh.recent ?? old?.recent ?? [] });

/** Whether the server holds more jobs than the browser should (one job is asked for, for the total). */
async function tooManyJobs(): Promise<boolean> {
  const { total } = await apiRequest<JobPageAnswer>('GET', '/api/v1/jobs?limit=1');
  return total > PAGED_ABOVE;
}

export function useLiveJobs() {
  const api = useApi<JobList>(`/api/v1/jobs?recent=${RECENT_RUNS}`);
  const { setData, reload } = api;
  const [tooMany, setTooMany] = useState(false);
  const dirty = useRef(new Set<string>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const flush = useCallback(async () => {
    timer.current = null;
    const names = [...dirty.current];
    dirty.current.clear();
    if (names.length === 0) return;
    try {
      if (names.length > ONE_BY_ONE_LIMIT) {
        if (await tooManyJobs()) {
          setTooMany(true);
          return;
        }
        const { jobs } = await apiRequest<JobList>('GET', '/api/v1/jobs');
        setData((previous) => {
          const old = new Map(previous?.jobs.map((j) => [j.name, j]));
          return { jobs: jobs.map((j) => merged(j, old.get(j.name))) };
        });
        return;
      }
      const answers = await Promise.all(
        names.map((name) =>
          apiRequest<JobView>('GET', jobPath(name)).catch((e: unknown) => {
            if (e instanceof ApiError && e.status === 404) return name; // deleted meanwhile
            throw e;
          }),
        ),
      );
      setData((previous) => {
        if (!previous) return previous;
        let jobs = previous.jobs;
        for (const answer of answers) {
          if (typeof answer === 'string') {
            jobs = jobs.filter((j) => j.name !== answer);
            continue;
          }
          const index = jobs.findIndex((j) => j.name === answer.name);
          jobs = index < 0 ? [...jobs, merged(answer, undefined)] : jobs.with(index, merged(answer, jobs[index]));
        }
        return { jobs };
      });
    } catch {
      // The next event or a reload catches up; the list stays as it was meanwhile.
    }
  }, [setData]);

  const markDirty = useCallback(
    (name: string) => {
      dirty.current.add(name);
      timer.current ??= setTimeout(() => void flush(), FLUSH_MS);
    },
    [flush],
  );

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const onEvent = useCallback(
    (event: SchedulerEvent) => {
      if (event.kind === 'job') {
        if (event.action === 'deleted') setData((p) => (p ? { jobs: p.jobs.filter((j) => j.name !== event.job) } : p));
        else markDirty(event.job);
        return;
      }
      const { run } = event;
      setData((previous) => {
        if (!previous) return previous;
        const index = previous.jobs.findIndex((j) => j.name === run.job);
        if (index < 0) return previous;
        const job = previous.jobs[index]!;
        if (isNewRun(job, run)) markDirty(job.name);
        return { jobs: previous.jobs.with(index, withRun(job, run)) };
      });
    },
    [setData, markDirty],
  );

  const onReset = useCallback(() => {
    tooManyJobs().then(
      (many) => (many ? setTooMany(true) : reload()),
      () => reload(),
    );
  }, [reload]);
  useEvents(onEvent, { onReset });
  return { ...api, outgrown: tooMany || (api.data?.jobs.length ?? 0) > PAGED_ABOVE };
}
