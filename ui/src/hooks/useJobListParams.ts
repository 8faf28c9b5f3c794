/** The jobs page's filters, sort and page, kept in the URL so a view can be shared. */
import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import type { JobFilters, SortDirection, SortKey, StateFilter } from '../lib/job-list';

const SORT_KEYS: SortKey[] = ['name', 'schedule', 'timezone', 'next', 'status'];

export interface JobListParams {
  filters: JobFilters;
  sort: SortKey;
  direction: SortDirection;
  /** The page of a list the browser holds (0-based); a paged list loads more instead. */
  page: number;
  /** Set (or, with '', remove) these URL parameters. */
  update: (changes: Record<string, string>) => void;
  /** New filters start again at the first page. */
  changeFilters: (next: Partial<JobFilters>) => void;
  /** A column's header: sort by it, or turn its order around. */
  toggleSort: (key: SortKey) => void;
}

export function useJobListParams(): JobListParams {
  const [params, setParams] = useSearchParams();
  const filters: JobFilters = {
    query: params.get('q') ?? '',
    owner: params.get('owner') ?? '',
    label: params.get('label') ?? '',
    state: (params.get('state') ?? '') as StateFilter,
  };
  const sortParam = params.get('sort') as SortKey | null;
  const sort: SortKey = sortParam && SORT_KEYS.includes(sortParam) ? sortParam : 'name';
  const direction: SortDirection = params.get('dir') === 'desc' ? 'desc' : 'asc';
  const page = Math.max(0, Number(params.get('page') ?? '1') - 1) || 0;

  const update = useCallback(
    (changes: Record<string, string>) =>
      setParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          for (const [key, value] of Object.entries(changes)) {
            if (value) next.set(key, value);
            else next.delete(key);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const changeFilters = (next: Partial<JobFilters>) => {
    const changes: Record<string, string> = { page: '' };
    if (next.query !== undefined) changes.q = next.query;
    if (next.owner !== undefined) changes.owner = next.owner;
    if (next.label !== undefined) changes.label = next.label;
    if (next.state !== undefined) changes.state = next.state;
    update(changes);
  };

  const toggleSort = (key: SortKey) => update({ sort: key, dir: key === sort && direction === 'asc' ? 'desc' : '', page: '' });

  return { filters, sort, direction, page, update, changeFilters, toggleSort };
}
