/**
 * The jobs page when the browser can hold every job: one request for all of them with their
 * recent runs, then search, filters and every sort in the browser, shown a page at a time.
 */
import { useCallback, useDeferredValue, useEffect, useMemo } from 'react';
import type { JobView } from '../api/types';
import { useLiveJobs } from '../hooks/useLiveJobs';
import type { JobListParams } from '../hooks/useJobListParams';
import { labelPairs, matches, sortJobs } from '../lib/job-list';
import { PAGE_SIZE } from '../lib/job-paging';
import { JobsListBody } from './JobsListBody';
import { ErrorState, Loading } from './States';

function distinct(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => a.localeCompare(b));
}

/** `onOutgrown`: there are more jobs now than the browser should hold. */
export function ClientJobList({ params, onOutgrown }: { params: JobListParams; onOutgrown: () => void }) {
  const { data, error, loading, reload, setData, outgrown } = useLiveJobs();
  useEffect(() => {
    if (outgrown) onOutgrown();
  }, [outgrown, onOutgrown]);
  const { filters, sort, direction, page, update } = params;
  const query = useDeferredValue(filters.query);

  const jobs = data?.jobs;
  const owners = useMemo(() => distinct((jobs ?? []).flatMap((j) => j.owners)), [jobs]);
  const labels = useMemo(() => distinct((jobs ?? []).flatMap(labelPairs)), [jobs]);
  const shown = useMemo(() => {
    const list = (jobs ?? []).filter((j) => matches(j, { ...filters, query }));
    return sortJobs(list, sort, direction);
  }, [jobs, query, filters.owner, filters.label, filters.state, sort, direction]);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const currentPage = Math.min(page, pages - 1);
  const pageRows = shown.slice(currentPage * PAGE_SIZE, (currentPage + 1) * PAGE_SIZE);
  const shownNames = useMemo(() => shown.map((j) => j.name), [shown]);

  const replaceJob = useCallback(
    (fresh: JobView) => setData((p) => (p ? { jobs: p.jobs.map((j) => (j.name === fresh.name ? { ...fresh, recent: j.recent } : j)) } : p)),
    [setData],
  );

  if (error && !data) return <ErrorState error={error} what="the jobs" onRetry={reload} />;
  if (loading && !data) {
    return (
      <div className="card">
        <Loading what="jobs" />
      </div>
    );
  }
  const total = jobs?.length ?? 0;
  const filtered = filters.query || filters.owner || filters.label || filters.state;
  return (
    <JobsListBody
      params={params}
      rows={pageRows}
      sort={sort}
      selectable={shownNames}
      onScreenOnly={false}
      noJobs={total === 0}
      noMatch={shown.length === 0}
      count={filtered ? `${shown.length.toLocaleString('en')} of ${total.toLocaleString('en')} jobs` : `${total.toLocaleString('en')} jobs`}
      owners={owners}
      labels={labels}
      serverFiltered={false}
      replaceJob={replaceJob}
      notice={error && <ErrorState error={error} what="the latest jobs (showing the last list)" onRetry={reload} />}
      footer={
        pages > 1 && (
          <nav className="pager" aria-label="Pages of jobs">
            <span>
              {(currentPage * PAGE_SIZE + 1).toLocaleString('en')}–{Math.min(shown.length, (currentPage + 1) * PAGE_SIZE).toLocaleString('en')} of{' '}
              {shown.length.toLocaleString('en')}
            </span>
            <span className="actions">
              <button type="button" className="btn btn-small" disabled={currentPage === 0} onClick={() => update({ page: currentPage > 1 ? String(currentPage) : '' })}>
                ← Previous
              </button>
              <span className="muted small" style={{ alignSelf: 'center' }}>
                Page {currentPage + 1} of {pages}
              </span>
              <button type="button" className="btn btn-small" disabled={currentPage >= pages - 1} onClick={() => update({ page: String(currentPage + 2) })}>
                Next →
              </button>
            </span>
          </nav>
        )
      }
    />
  );
}
