/**
 * The jobs page with many jobs: the server filters, sorts and pages (`GET /api/v1/jobs?limit`),
 * and the browser holds only the pages it has shown. These are its rules, apart from React.
 */
import type { JobView } from '../api/types';
import { RECENT_RUNS, type JobFilters, type SortDirection, type SortKey } from './job-list';

/** Above this many jobs the page asks the server for a page at a time instead of every job. */
export const PAGED_ABOVE = 2_000;
/** Jobs per page, and per "Load more". */
export const PAGE_SIZE = 100;
/** The server's largest page; a refresh of more rows than this takes several. */
export const MAX_PAGE = 1_000;
/** The sorts the server does; the table's other columns sort only a list the browser holds. */
export const SERVER_SORT_KEYS: ReadonlySet<SortKey> = new Set<SortKey>(['name', 'next']);
export const SERVER_SORT_NOTE = `With more than ${PAGED_ABOVE.toLocaleString('en')} jobs the server sorts the list, by job name or next run only.`;
/** The server's longest search (`q`) and label filter. */
export const MAX_SEARCH = 200;
export const MAX_LABEL_FILTER = 1_201;

export interface JobPageAnswer {
  jobs: JobView[];
  /** Jobs matching the filters, on every page. */
  total: number;
  nextCursor: string | null;
}

/** The sort a paged list uses: the one asked for when the server can do it, else by name. */
export const serverSort = (sort: SortKey): 'name' | 'next' => (SERVER_SORT_KEYS.has(sort) ? (sort as 'name' | 'next') : 'name');

/**
 * The filters and order as the job list's query string (without limit and cursor); the same
 * filters give the same string, so it also says when the list must start again.
 */
export function jobListSearch(filters: JobFilters, sort: SortKey, direction: SortDirection): string {
  const params = new URLSearchParams({ sort: serverSort(sort), order: direction });
  const query = filters.query.trim();
  if (query) params.set('q', query);
  if (filters.owner) params.set('owner', filters.owner);
  const label = filters.label.trim();
  if (label) params.set('label', label);
  if (filters.state) params.set('state', filters.state);
  return params.toString();
}

/** The path of one page of `search`: `limit` jobs after `cursor`, each with its recent runs. */
export function jobPagePath(search: string, limit: number, cursor: string | null): string {
  const params = new URLSearchParams(search);
  params.set('limit', String(limit));
  params.set('recent', String(RECENT_RUNS));
  if (cursor !== null) params.set('cursor', cursor);
  return `/api/v1/jobs?${params.toString()}`;
}

/** `more` after `rows`, leaving out a job already shown (it moved between two requests). */
export function appendRows(rows: readonly JobView[], more: readonly JobView[]): JobView[] {
  const shown = new Set(rows.map((j) => j.name));
  return [...rows, ...more.filter((j) => !shown.has(j.name))];
}
