/**
 * The timeline a page of jobs at a time: the first answer brings the sums over every job and
 * the first rows; "Load more" asks for the next rows of the same window (its `from` pinned,
 * so a 5-minute boundary passing does not mix two windows). New filters, order or window
 * start again, and what the old ones still had in flight is dropped. A reload asks again for
 * as many rows as are shown (at most the server's largest page).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useAuth } from '../api/auth';
import { apiRequest, ApiError } from '../api/client';
import type { Timeline, TimelineJob } from '../api/types';

const HOUR = 3_600_000;

/** How the page orders its rows: most runs, firing at the selected time, or by name. */
export type SortBy = 'runs' | 'cursor' | 'name';

/** The day in 5-minute buckets, or one hour (starting at `hourStart`) by the minute. */
export function windowFor(hourStart: number | null): string {
  return hourStart === null ? 'hours=24&bucketMinutes=5' : `hours=1&bucketMinutes=1&from=${encodeURIComponent(new Date(hourStart).toISOString())}`;
}

/** The rows' filter and order as the timeline's query string. */
export function rowSearch(filter: string, sortBy: SortBy, cursor: number | null): string {
  const params = new URLSearchParams({ sort: sortBy === 'name' ? 'name' : 'runs' });
  const words = filter.trim();
  if (words) params.set('q', words);
  if (sortBy === 'cursor' && cursor !== null) params.set('bucket', String(cursor));
  return params.toString();
}

/** The window's length in hours, to ask for the same window again. */
export const hoursOf = (timeline: Timeline): number => (Date.parse(timeline.to) - Date.parse(timeline.from)) / HOUR;

/** Jobs per page, and per "Load more". */
export const TIMELINE_PAGE = 100;
const MAX_PAGE = 1_000;

export interface TimelinePages {
  /** The latest answer: the window, its sums, and the last page's cursor. */
  data: Timeline | null;
  /** Every page loaded so far, in order. */
  rows: TimelineJob[];
  error: ApiError | null;
  loading: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

const asApiError = (e: unknown): ApiError => (e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));

/** `window`: hours, bucketMinutes (and from) as a query string; `search`: filters, sort, bucket. */
export function useTimelinePages(window: string, search: string): TimelinePages {
  const { generation } = useAuth();
  const [data, setData] = useState<Timeline | null>(null);
  const [rows, setRows] = useState<TimelineJob[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [nonce, setNonce] = useState(0);
  const shown = useRef({ key: '', rows: 0 });
  const latest = useRef<{ key: string; data: Timeline | null }>({ key: '', data: null });

  const key = `${window}&${search}`;
  useEffect(() => {
    const controller = new AbortController();
    const sameList = shown.current.key === key;
    const limit = sameList ? Math.min(MAX_PAGE, Math.max(TIMELINE_PAGE, shown.current.rows)) : TIMELINE_PAGE;
    setLoading(true);
    apiRequest<Timeline>('GET', `/api/v1/timeline?${key}&limit=${limit}`, undefined, { signal: controller.signal }).then(
      (answer) => {
        latest.current = { key, data: answer };
        shown.current = { key, rows: answer.jobs.length };
        setData(answer);
        setRows(answer.jobs);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setError(asApiError(e));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [key, nonce, generation]);

  const more = useRef<AbortController | null>(null);
  const loadMore = useCallback(() => {
    const { key: asked, data: last } = latest.current;
    if (!last?.nextCursor || more.current) return;
    const controller = new AbortController();
    more.current = controller;
    setLoadingMore(true);
    const params = new URLSearchParams(asked);
    params.set('from', last.from);
    params.set('limit', String(TIMELINE_PAGE));
    params.set('cursor', last.nextCursor);
    apiRequest<Timeline>('GET', `/api/v1/timeline?${params.toString()}`, undefined, { signal: controller.signal })
      .then(
        (answer) => {
          if (latest.current.data !== last) return;
          latest.current = { key: asked, data: answer };
          setData(answer);
          setRows((before) => {
            const names = new Set(before.map((j) => j.name));
            const next = [...before, ...answer.jobs.filter((j) => !names.has(j.name))];
            shown.current = { key: asked, rows: next.length };
            return next;
          });
          setError(null);
        },
        (e: unknown) => {
          if (!controller.signal.aborted) setError(asApiError(e));
        },
      )
      .finally(() => {
        more.current = null;
        setLoadingMore(false);
      });
  }, []);

  // New filters or window: a "Load more" still out answers the old ones.
  useEffect(
    () => () => {
      more.current?.abort();
      more.current = null;
    },
    [key],
  );

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data, rows, error, loading, loadingMore, loadMore, reload };
}
