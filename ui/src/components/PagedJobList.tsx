/**
 * The jobs page with more jobs than a browser should hold: the server searches, filters, sorts
 * (by name or next run) and pages; the page shows the first hundred and loads more on demand.
 * Typed filters reach the server once the typing pauses.
 */
import { useEffect, useMemo, useRef } from 'react';
import { useApi } from '../api/client';
import type { Owner } from '../api/types';
import type { JobListParams } from '../hooks/useJobListParams';
import { usePagedJobs } from '../hooks/usePagedJobs';
import { labelPairs } from '../lib/job-list';
import { jobListSearch, PAGE_SIZE, SERVER_SORT_KEYS, SERVER_SORT_NOTE, serverSort } from '../lib/job-paging';
import { JobsListBody } from './JobsListBody';
import { ErrorState, Loading } from './States';
import { useDebouncedValue } from './useDebouncedValue';

const TYPING_PAUSE_MS = 300;

const distinct = (values: Iterable<string>): string[] => [...new Set(values)].sort((a, b) => a.localeCompare(b));

export function PagedJobList({ params }: { params: JobListParams }) {
  const { filters, sort, direction } = params;
  const query = useDebouncedValue(filters.query, TYPING_PAUSE_MS);
  const label = useDebouncedValue(filters.label, TYPING_PAUSE_MS);
  const search = jobListSearch({ ...filters, query, label }, sort, direction);
  const { data, error, loading, loadingMore, loadMore, reload, replaceJob } = usePagedJobs(search);
  const ownerList = useApi<{ owners: Owner[] }>('/api/v1/owners');

  const rows = useMemo(() => data?.jobs ?? [], [data]);
  const names = useMemo(() => rows.map((j) => j.name), [rows]);
  // Every owner exists as such; labels are only known from the rows loaded, so they are typed.
  const owners = useMemo(() => distinct([...(ownerList.data?.owners ?? []).map((o) => o.name), ...(filters.owner ? [filters.owner] : [])]), [ownerList.data, filters.owner]);
  const labels = useMemo(() => distinct(rows.flatMap(labelPairs)), [rows]);

  // After "Load more", the keyboard goes on from the first new row.
  const pager = useRef<HTMLElement>(null);
  const focusRow = useRef<number | null>(null);
  useEffect(() => {
    const index = focusRow.current;
    if (index === null || loadingMore) return;
    focusRow.current = null;
    const row = pager.current?.parentElement?.querySelectorAll('.jobs-table tbody tr')[index];
    row?.querySelector<HTMLElement>('a.job-name')?.focus();
  }, [rows, loadingMore]);
  const onLoadMore = () => {
    focusRow.current = rows.length;
    loadMore();
  };

  if (!data) {
    if (error) return <ErrorState error={error} what="the jobs" onRetry={reload} />;
    return (
      <div className="card">
        <Loading what="jobs" />
      </div>
    );
  }
  const filtered = Boolean(filters.query || filters.owner || filters.label || filters.state);
  const remaining = Math.max(1, Math.min(PAGE_SIZE, data.total - rows.length));
  return (
    <JobsListBody
      params={params}
      rows={rows}
      sort={serverSort(sort)}
      sortable={SERVER_SORT_KEYS}
      sortNote={SERVER_SORT_NOTE}
      selectable={names}
      onScreenOnly
      noJobs={data.total === 0 && !filtered && !loading}
      noMatch={data.total === 0}
      count={`${data.total.toLocaleString('en')} ${data.total === 1 ? 'job matches' : 'jobs match'} · ${rows.length.toLocaleString('en')} shown`}
      owners={owners}
      labels={labels}
      serverFiltered
      updating={loading}
      replaceJob={replaceJob}
      notice={error && <ErrorState error={error} what="the jobs for these filters (showing the last ones)" onRetry={reload} />}
      footer={
        <nav className="pager" aria-label="More jobs" ref={pager}>
          <span>
            Showing {rows.length.toLocaleString('en')} of {data.total.toLocaleString('en')}
          </span>
          {data.nextCursor ? (
            <button type="button" className="btn btn-small" disabled={loadingMore || loading} onClick={onLoadMore}>
              {loadingMore ? 'Loading…' : `Load ${remaining.toLocaleString('en')} more`}
            </button>
          ) : (
            <span className="muted small">End of the list</span>
          )}
        </nav>
      }
    />
  );
}
