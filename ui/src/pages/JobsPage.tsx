/**
 * `/`: every job, searchable, filterable and sortable, live; bulk run, pause and resume.
 * Filters and sorting live in the URL, so a view can be shared. Rows come a page at a time,
 * so a thousand jobs render as fast as a hundred.
 */
import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ApiError, useApi } from '../api/client';
import type { ClusterView, JobView } from '../api/types';
import { BulkBar, BulkResults } from '../components/BulkBar';
import { JobsTable } from '../components/JobsTable';
import { JobsToolbar } from '../components/JobsToolbar';
import { Page } from '../components/Page';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { showToast } from '../components/Toasts';
import { useNow } from '../components/useNow';
import { useLiveJobs } from '../hooks/useLiveJobs';
import { runBulk, type BulkOutcome } from '../lib/bulk';
import { pauseJob, resumeJob, runJobNow } from '../lib/job-actions';
import { labelPairs, matches, sortJobs, type JobFilters, type SortDirection, type SortKey, type StateFilter } from '../lib/job-list';

const PAGE_SIZE = 100;
const SORT_KEYS: SortKey[] = ['name', 'schedule', 'timezone', 'next', 'status'];

function useListParams() {
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
  return { filters, sort, direction, page, update };
}

function distinct(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => a.localeCompare(b));
}

export function JobsPage() {
  const { data, error, loading, reload, setData } = useLiveJobs();
  const cluster = useApi<ClusterView>('/api/v1/cluster');
  const now = useNow(5_000);
  const { filters, sort, direction, page, update } = useListParams();
  const query = useDeferredValue(filters.query);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [bulkRunning, setBulkRunning] = useState(false);
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);

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

  const withBusy = useCallback(async (name: string, action: () => Promise<void>) => {
    setBusy((b) => new Set(b).add(name));
    try {
      await action();
    } catch (e) {
      showToast('error', `${name}: ${e instanceof ApiError ? e.message : String(e)}`);
    } finally {
      setBusy((b) => {
        const next = new Set(b);
        next.delete(name);
        return next;
      });
    }
  }, []);

  const onRun = useCallback(
    (name: string) =>
      void withBusy(name, async () => {
        const run = await runJobNow(name);
        showToast(
          'ok',
          <>
            Started a run of <strong>{name}</strong>. <Link to={`/runs/${encodeURIComponent(run.id)}`}>Watch it</Link>
          </>,
        );
      }),
    [withBusy],
  );

  const onPauseToggle = useCallback(
    (job: JobView) =>
      void withBusy(job.name, async () => {
        replaceJob(await (job.paused ? resumeJob(job.name) : pauseJob(job.name)));
        showToast('ok', `${job.paused ? 'Resumed' : 'Paused'} ${job.name}.`);
      }),
    [withBusy, replaceJob],
  );

  const onSelect = useCallback((name: string, on: boolean) => {
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(name);
      else next.delete(name);
      return next;
    });
  }, []);

  const onBulk = async (action: 'run' | 'pause' | 'resume') => {
    const names = [...selected].sort();
    setBulkRunning(true);
    setOutcome(null);
    const perform = action === 'run' ? runJobNow : action === 'pause' ? pauseJob : resumeJob;
    const result = await runBulk<unknown>(action, names, perform, (_name, value) => {
      if (action !== 'run') replaceJob(value as JobView);
    });
    setBulkRunning(false);
    setOutcome(result);
  };

  const changeFilters = (next: Partial<JobFilters>) => {
    const changes: Record<string, string> = { page: '' };
    if (next.query !== undefined) changes.q = next.query;
    if (next.owner !== undefined) changes.owner = next.owner;
    if (next.label !== undefined) changes.label = next.label;
    if (next.state !== undefined) changes.state = next.state;
    update(changes);
  };

  const onSort = (key: SortKey) => update({ sort: key, dir: key === sort && direction === 'asc' ? 'desc' : '', page: '' });

  return (
    <Page testId="page-jobs" title="Jobs" wide>
      <div className="page-head">
        <div>
          <h1>Jobs</h1>
          <p className="subtitle">Every job, its schedule in words, when it runs next and how its last runs went.</p>
        </div>
      </div>

      {error && !data ? (
        <ErrorState error={error} what="the jobs" onRetry={reload} />
      ) : loading && !data ? (
        <div className="card">
          <Loading what="jobs" />
        </div>
      ) : (
        <div className="card">
          {error && <ErrorState error={error} what="the latest jobs (showing the last list)" onRetry={reload} />}
          <JobsToolbar
            filters={filters}
            onChange={changeFilters}
            owners={owners}
            labels={labels}
            backend={cluster.data?.backend ?? null}
            shown={shown.length}
            total={jobs?.length ?? 0}
          />
          {selected.size > 0 && <BulkBar count={selected.size} running={bulkRunning} onAction={(a) => void onBulk(a)} onClear={() => setSelected(new Set())} />}
          {outcome && <BulkResults outcome={outcome} onDismiss={() => setOutcome(null)} />}
          {jobs && jobs.length === 0 ? (
            <EmptyState title="No jobs yet">
              <p>Put a job with the CLI or the API, and it shows up here at once:</p>
              <pre>{'moroccron apply -f jobs.yaml'}</pre>
            </EmptyState>
          ) : shown.length === 0 ? (
            <EmptyState title="No job matches">
              <p>Nothing matches these filters. Try fewer words, or clear the filters.</p>
              <button type="button" className="btn" onClick={() => changeFilters({ query: '', owner: '', label: '', state: '' })}>
                Clear filters
              </button>
            </EmptyState>
          ) : (
            <>
              <JobsTable
                jobs={pageRows}
                now={now}
                sort={sort}
                direction={direction}
                onSort={onSort}
                selected={selected}
                allNames={shownNames}
                onSelect={onSelect}
                onSelectAll={(on) => setSelected(on ? new Set(shownNames) : new Set())}
                busy={busy}
                onRun={onRun}
                onPauseToggle={onPauseToggle}
              />
              {pages > 1 && (
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
              )}
            </>
          )}
        </div>
      )}
    </Page>
  );
}
