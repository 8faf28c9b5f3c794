/**
 * One owner's jobs from the server (`GET /api/v1/jobs?owner=NAME&limit`): the first
 * `firstPage` and the total, then more a page at a time on request. Job changes refetch the
 * rows loaded so far (and the total), batched to one refetch a second; pauses and resumes
 * change a row on screen without a request. Requests go one at a time, so a refetch and a
 * "more" never cross.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useAuth } from '../api/auth';
import { ApiError, apiPath, apiRequest } from '../api/client';
import { useEvents } from '../api/events';
import type { JobView, SchedulerEvent } from '../api/types';
import { appendRows, MAX_PAGE, type JobPageAnswer } from '../lib/job-paging';
import { useThrottled } from '../components/useThrottled';

const FLUSH_MS = 1_000;

export interface OwnerJobs {
  owner: string;
  /** The jobs loaded so far, by name. */
  jobs: JobView[];
  /** Every job the owner owns. */
  total: number;
  nextCursor: string | null;
}

export interface OwnerJobsState {
  data: OwnerJobs | null;
  error: ApiError | null;
  loadingMore: boolean;
  /** The next page (up to MAX_PAGE jobs). */
  loadMore: () => void;
  reload: () => void;
}

const asApiError = (e: unknown): ApiError => (e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));

export function useOwnerJobs(owner: string, firstPage: number): OwnerJobsState {
  const { generation } = useAuth();
  const [data, setDataState] = useState<OwnerJobs | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  // The rows as they are now, for requests that build on them: every change goes through setData.
  const latest = useRef<OwnerJobs | null>(null);
  const setData = useCallback((next: OwnerJobs | null) => {
    latest.current = next;
    setDataState(next);
  }, []);

  const controller = useRef<AbortController | null>(null);
  const chain = useRef<Promise<void>>(Promise.resolve());
  /** Runs one request after the others, unless the card went away (or the owner changed) first. */
  const enqueue = useCallback((request: (signal: AbortSignal) => Promise<void>) => {
    const mine = controller.current;
    if (!mine) return;
    chain.current = chain.current.then(async () => {
      if (mine.signal.aborted) return;
      try {
        await request(mine.signal);
        if (!mine.signal.aborted) setError(null);
      } catch (e) {
        if (!mine.signal.aborted) setError(asApiError(e));
      }
    });
  }, []);

  const fetchPage = useCallback(
    (signal: AbortSignal, limit: number, cursor: string | null) =>
      apiRequest<JobPageAnswer>('GET', apiPath('/api/v1/jobs', { owner, limit, cursor }), undefined, { signal }),
    [owner],
  );

  const refresh = useCallback(
    () =>
      enqueue(async (signal) => {
        const before = latest.current?.owner === owner ? latest.current : null;
        const loaded = before?.jobs.length ?? 0;
        // A list loaded to its end beyond the first page stays whole: new jobs join it.
        const want = before?.nextCursor === null && loaded > firstPage ? loaded + MAX_PAGE : Math.max(firstPage, loaded);
        let rows: JobView[] = [];
        let total = 0;
        let cursor: string | null = null;
        do {
          const page: JobPageAnswer = await fetchPage(signal, Math.min(MAX_PAGE, want - rows.length), cursor);
          rows = appendRows(rows, page.jobs);
          total = page.total;
          cursor = page.nextCursor;
        } while (cursor !== null && rows.length < want);
        if (!signal.aborted) setData({ owner, jobs: rows, total, nextCursor: cursor });
      }),
    [owner, firstPage, enqueue, fetchPage, setData],
  );

  useEffect(() => {
    const mine = new AbortController();
    controller.current = mine;
    if (latest.current?.owner !== owner) setData(null);
    refresh();
    return () => mine.abort();
  }, [owner, generation, refresh, setData]);

  const loadMore = useCallback(() => {
    setLoadingMore(true);
    enqueue(async (signal) => {
      try {
        const cursor = latest.current?.owner === owner ? latest.current.nextCursor : null;
        if (!cursor) return;
        const page = await fetchPage(signal, MAX_PAGE, cursor);
        const now = latest.current;
        if (signal.aborted || !now) return;
        setData({ ...now, jobs: appendRows(now.jobs, page.jobs), total: page.total, nextCursor: page.nextCursor });
      } finally {
        setLoadingMore(false);
      }
    });
  }, [owner, enqueue, fetchPage, setData]);

  const markDirty = useThrottled(refresh, FLUSH_MS);

  const onEvent = useCallback(
    (event: SchedulerEvent) => {
      if (event.kind !== 'job') return;
      const now = latest.current;
      const index = now ? now.jobs.findIndex((j) => j.name === event.job) : -1;
      if (event.action === 'paused' || event.action === 'resumed') {
        if (now && index >= 0) setData({ ...now, jobs: now.jobs.with(index, { ...now.jobs[index]!, paused: event.action === 'paused' }) });
        return;
      }
      // A job put may have gained or lost this owner, whether it is on screen or not.
      if (event.action === 'deleted' && now && index >= 0) setData({ ...now, jobs: now.jobs.toSpliced(index, 1), total: Math.max(0, now.total - 1) });
      markDirty();
    },
    [setData, markDirty],
  );
  useEvents(onEvent, { onReset: refresh });

  return { data, error, loadingMore, loadMore, reload: refresh };
}
