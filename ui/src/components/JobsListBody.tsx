/**
 * What the jobs page shows around its rows, whoever filtered them (the browser, or the server
 * a page at a time): the toolbar, the bulk bar and its results, the table, the empty states;
 * and what a row's buttons and the bulk bar do.
 */
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { ApiError, useApi } from '../api/client';
import type { ClusterView, JobView } from '../api/types';
import type { JobListParams } from '../hooks/useJobListParams';
import { runBulk, type BulkOutcome } from '../lib/bulk';
import { pauseJob, resumeJob, runJobNow } from '../lib/job-actions';
import type { SortKey } from '../lib/job-list';
import { BulkBar, BulkResults } from './BulkBar';
import { JobsTable } from './JobsTable';
import { JobsToolbar } from './JobsToolbar';
import { EmptyState } from './States';
import { showToast } from './Toasts';
import { useNow } from './useNow';

export interface JobsListBodyProps {
  params: JobListParams;
  rows: JobView[];
  /** The sort the rows are in. */
  sort: SortKey;
  /** The columns that can sort (all when absent), and why the others cannot. */
  sortable?: ReadonlySet<SortKey>;
  sortNote?: string;
  /**
   * What the header checkbox selects: every job the filters let through, or (`onScreenOnly`)
   * the rows on screen, which are then also all the bulk actions act on.
   */
  selectable: string[];
  onScreenOnly: boolean;
  /** The server has no job at all; the filters leave none. */
  noJobs: boolean;
  noMatch: boolean;
  /** "12 of 40 jobs", "3,000 jobs match · 100 shown". */
  count: string;
  owners: string[];
  labels: string[];
  /** The server filters: the label is typed (with suggestions), and the toolbar says so. */
  serverFiltered: boolean;
  /** Newer rows are on their way (new filters): the table says it is busy. */
  updating?: boolean;
  replaceJob: (fresh: JobView) => void;
  /** Above the toolbar: an error while older rows stay on screen. */
  notice?: ReactNode;
  /** Below the table: the pager, or "Load more". */
  footer?: ReactNode;
}

export function JobsListBody(props: JobsListBodyProps) {
  const { params, rows, sort, selectable, onScreenOnly, replaceJob } = props;
  const { filters, direction, changeFilters, toggleSort } = params;
  const cluster = useApi<ClusterView>('/api/v1/cluster');
  const now = useNow(5_000);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [bulkRunning, setBulkRunning] = useState(false);
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);

  const inScope = useMemo(() => {
    if (!onScreenOnly) return [...selected];
    const onScreen = new Set(selectable);
    return [...selected].filter((name) => onScreen.has(name));
  }, [selected, selectable, onScreenOnly]);

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
    const names = [...inScope].sort();
    setBulkRunning(true);
    setOutcome(null);
    const perform = action === 'run' ? runJobNow : action === 'pause' ? pauseJob : resumeJob;
    const result = await runBulk<unknown>(action, names, perform, (_name, value) => {
      if (action !== 'run') replaceJob(value as JobView);
    });
    setBulkRunning(false);
    setOutcome(result);
  };

  const clearFilters = () => changeFilters({ query: '', owner: '', label: '', state: '' });

  return (
    <div className="card">
      {props.notice}
      <JobsToolbar
        filters={filters}
        onChange={changeFilters}
        owners={props.owners}
        labels={props.labels}
        backend={cluster.data?.backend ?? null}
        count={props.count}
        serverFiltered={props.serverFiltered}
      />
      {inScope.length > 0 && (
        <BulkBar count={inScope.length} scope={onScreenOnly ? 'on screen' : undefined} running={bulkRunning} onAction={(a) => void onBulk(a)} onClear={() => setSelected(new Set())} />
      )}
      {outcome && <BulkResults outcome={outcome} onDismiss={() => setOutcome(null)} />}
      {props.noJobs ? (
        <EmptyState title="No jobs yet">
          <p>Put a job with the CLI or the API, and it shows up here at once:</p>
          <pre>{'moroccron apply -f jobs.yaml'}</pre>
        </EmptyState>
      ) : props.noMatch ? (
        <EmptyState title="No job matches">
          <p>Nothing matches these filters. Try fewer words, or clear the filters.</p>
          <button type="button" className="btn" onClick={clearFilters}>
            Clear filters
          </button>
        </EmptyState>
      ) : (
        <>
          <JobsTable
            jobs={rows}
            now={now}
            sort={sort}
            direction={direction}
            onSort={toggleSort}
            sortable={props.sortable}
            sortNote={props.sortNote}
            selected={selected}
            allNames={selectable}
            selectAllLabel={onScreenOnly ? `Select all ${selectable.length} jobs on screen` : undefined}
            onSelect={onSelect}
            onSelectAll={(on) => setSelected(on ? new Set(selectable) : new Set())}
            busy={busy}
            updating={props.updating ?? false}
            onRun={onRun}
            onPauseToggle={onPauseToggle}
          />
          {props.footer}
        </>
      )}
    </div>
  );
}
