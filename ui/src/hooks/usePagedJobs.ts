/**
 * The job list a page at a time from the server (`?limit`, then "Load more" with the cursor),
 * kept current by the event stream: run events change the rows on screen at once; job changes
 * and new claims (which move a next run time) refetch the rows on screen, never the whole list,
 * batched to one refetch a second. Requests go one at a time, so a refetch and a "Load more"
 * never cross; new filters start again, and what the old ones still had in flight is dropped.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useAuth } from '../api/auth';
import { apiRequest, ApiError } from '../api/client';
import { useEvents } from '../api/events';
import type { JobView, Run, SchedulerEvent } from '../api/types';
import { isNewRun, withRun } from '../lib/job-list';
import { appendRows, jobPagePath, MAX_PAGE, PAGE_SIZE, type JobPageAnswer } from '../lib/job-paging';
import { useThrottled } from '../components/useThrottled';

const FLUSH_MS = 1_000;
/** Run events kept to replay over a refetch's answer; past this the refetch is simply done again. */
const REPLAY_LIMIT = 5_000;

export interface PagedJobs {
  /** Every page loaded so far, in order. */
  jobs: JobView[];
  /** Jobs matching the filters. */
  total: number;
  nextCursor: string | null;
  /** The filters and order these rows answer. */
  search: string;
}

export interface PagedJobsState {
  data: PagedJobs | null;
  error: ApiError | null;
  /** The first page of these filters is on its way (the old rows stay on screen meanwhile). */
  loading: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  /** Fetch the rows on screen again (or the first page, when there are none yet). */
  reload: () => void;
  /** A job's new spec and state (an action's answer), keeping the runs its row shows. */
  replaceJob: (fresh: JobView) => void;
}

/** The filters a request was made for; a request of an epoch that is no longer current is dropped. */
interface Epoch {
  search: string;
  controller: AbortController;
}

const asApiError = (e: unknown): ApiError => (e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));

/** `search`: the filters and order as a query string (see jobListSearch). */
export function usePagedJobs(search: string): PagedJobsState {
  const { generation } = useAuth();
  const [data, setDataState] = useState<PagedJobs | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [restarts, setRestarts] = useState(0);

  // The rows as they are now, for requests that build on them: every change goes through setData.
  const latest = useRef<PagedJobs | null>(null);
  const setData = useCallback((next: PagedJobs | null) => {
    latest.current = next;
    setDataState(next);
  }, []);

  const epoch = useRef<Epoch | null>(null);
  const chain = useRef<Promise<void>>(Promise.resolve());
  /** Runs one request after the others, unless the filters changed before its turn. */
  const enqueue = useCallback((request: (current: Epoch) => Promise<void>) => {
    const mine = epoch.current;
    if (!mine) return;
    chain.current = chain.current.then(async () => {
      if (epoch.current !== mine) return;
      try {
        await request(mine);
      } catch (e) {
        if (epoch.current === mine && !mine.controller.signal.aborted) setError(asApiError(e));
      }
    });
  }, []);
  const fetchPage = (current: Epoch, limit: number, cursor: string | null) =>
    apiRequest<JobPageAnswer>('GET', jobPagePath(current.search, limit, cursor), undefined, { signal: current.controller.signal });

  useEffect(() => {
    const mine: Epoch = { search, controller: new AbortController() };
    epoch.current = mine;
    setLoading(true);
    setLoadingMore(false);
    enqueue(async () => {
      try {
        const page = await fetchPage(mine, PAGE_SIZE, null);
        if (epoch.current !== mine) return;
        setData({ jobs: page.jobs, total: page.total, nextCursor: page.nextCursor, search: mine.search });
        setError(null);
      } finally {
        if (epoch.current === mine) setLoading(false);
      }
    });
    return () => mine.controller.abort();
  }, [search, generation, restarts, enqueue, setData]);

  const loadMore = useCallback(() => {
    setLoadingMore(true);
    enqueue(async (mine) => {
      try {
        const cursor = latest.current?.search === mine.search ? latest.current.nextCursor : null;
        if (!cursor) return;
        const page = await fetchPage(mine, PAGE_SIZE, cursor);
        const now = latest.current;
        if (epoch.current !== mine || !now) return;
        setData({ ...now, jobs: appendRows(now.jobs, page.jobs), total: page.total, nextCursor: page.nextCursor });
        setError(null);
      } finally {
        if (epoch.current === mine) setLoadingMore(false);
      }
    });
  }, [enqueue, setData]);

  // Run events that come while a refetch is out are applied again to its answer, which may predate them.
  const replay = useRef<Run[] | null>(null);

  const refresh = useCallback(() => {
    enqueue(async (mine) => {
      const before = latest.current;
      if (!before) return;
      const want = before.search === mine.search ? Math.max(PAGE_SIZE, before.jobs.length) : PAGE_SIZE;
      replay.current = [];
      try {
        let rows: JobView[] = [];
        let total = before.total;
        let cursor: string | null = null;
        do {
          const page: JobPageAnswer = await fetchPage(mine, Math.min(MAX_PAGE, want - rows.length), cursor);
          rows = appendRows(rows, page.jobs);
          total = page.total;
          cursor = page.nextCursor;
        } while (cursor !== null && rows.length < want);
        if (epoch.current !== mine) return;
        const missed = replay.current ?? [];
        for (const run of missed) {
          const index = rows.findIndex((j) => j.name === run.job);
          if (index >= 0) rows[index] = withRun(rows[index]!, run);
        }
        setData({ jobs: rows, total, nextCursor: cursor, search: mine.search });
        setError(null);
      } finally {
        replay.current = null;
      }
    });
  }, [enqueue, setData]);

  const markDirty = useThrottled(refresh, FLUSH_MS);


  const onEvent = useCallback(
    (event: SchedulerEvent) => {
      const now = latest.current;
      if (event.kind === 'job') {
        // Any job may belong on screen now (new, renamed into the filters, moved in the order).
        if (event.action === 'deleted' && now?.jobs.some((j) => j.name === event.job)) {
          setData({ ...now, jobs: now.jobs.filter((j) => j.name !== event.job), total: Math.max(0, now.total - 1) });
        }
        markDirty();
        return;
      }
      const { run } = event;
      if (replay.current) {
        if (replay.current.length < REPLAY_LIMIT) replay.current.push(run);
        else markDirty();
      }
      const index = now ? now.jobs.findIndex((j) => j.name === run.job) : -1;
      if (!now || index < 0) return;
      const job = now.jobs[index]!;
      if (isNewRun(job, run)) markDirty();
      setData({ ...now, jobs: now.jobs.with(index, withRun(job, run)) });
    },
    [setData, markDirty],
  );
  useEvents(onEvent, { onReset: refresh });

  const reload = useCallback(() => (latest.current ? refresh() : setRestarts((n) => n + 1)), [refresh]);

  const replaceJob = useCallback(
    (fresh: JobView) => {
      const now = latest.current;
      const index = now ? now.jobs.findIndex((j) => j.name === fresh.name) : -1;
      if (!now || index < 0) return;
      setData({ ...now, jobs: now.jobs.with(index, { ...fresh, recent: now.jobs[index]!.recent }) });
    },
    [setData],
  );

  return { data, error, loading, loadingMore, loadMore, reload, replaceJob };
}
