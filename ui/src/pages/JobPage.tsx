/**
 * `/jobs/:name`: a job's state and actions, its spec as editable YAML, its next runs and its
 * run history, all kept current by the event stream.
 */
import { useCallback, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, apiRequest, jobPath, useApi } from '../api/client';
import { useEvents } from '../api/events';
import type { JobView, Run, RunPage as RunList, SchedulerEvent } from '../api/types';
import { isActiveStatus } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { JobFacts } from '../components/JobFacts';
import { JobSpecEditor } from '../components/JobSpecEditor';
import { NextOccurrences } from '../components/NextOccurrences';
import { Page } from '../components/Page';
import { HistoryChart, RunsTable } from '../components/RunHistory';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { showToast } from '../components/Toasts';
import { useNow } from '../components/useNow';
import { deleteJob, pauseJob, resumeJob, runJobNow } from '../lib/job-actions';
import { jobState } from '../lib/job-list';
import { JOB_STATE_LOOK } from '../lib/status';

const HISTORY_PAGE = 60;
/** Rows in the runs table until asked for all: the chart above shows the rest. */
const TABLE_ROWS = 15;

/** The job's runs, newest first, with run events applied as they come. */
function useJobRuns(name: string) {
  const runs = useApi<RunList>(`${jobPath(name)}/runs?limit=${HISTORY_PAGE}`);
  const { setData } = runs;
  const upsert = useCallback(
    (run: Run) =>
      setData((page) => {
        if (!page) return page;
        const index = page.runs.findIndex((r) => r.id === run.id);
        return { ...page, runs: index < 0 ? [run, ...page.runs] : page.runs.with(index, run) };
      }),
    [setData],
  );
  const loadOlder = useCallback(async () => {
    const cursor = runs.data?.nextCursor;
    if (!cursor) return;
    const older = await apiRequest<RunList>('GET', `${jobPath(name)}/runs?limit=${HISTORY_PAGE}&cursor=${encodeURIComponent(cursor)}`);
    setData((page) => (page ? { runs: [...page.runs, ...older.runs.filter((r) => !page.runs.some((p) => p.id === r.id))], nextCursor: older.nextCursor } : page));
  }, [name, runs.data?.nextCursor, setData]);
  return { ...runs, upsert, loadOlder };
}

/** Keyed by the name, so moving from one job to another (an `after` link) starts afresh. */
export function JobPage() {
  const name = useParams().name!;
  return <JobView key={name} name={name} />;
}

function JobView({ name }: { name: string }) {
  const navigate = useNavigate();
  const now = useNow(5_000);
  const job = useApi<JobView>(jobPath(name));
  const runs = useJobRuns(name);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [dependents, setDependents] = useState<string | null>(null);
  const [deleted, setDeleted] = useState(false);
  const [allRuns, setAllRuns] = useState(false);

  const { reload: reloadJob, setData: setJob } = job;
  const { reload: reloadRuns, upsert } = runs;
  const onEvent = useCallback(
    (event: SchedulerEvent) => {
      if (event.kind === 'run') {
        upsert(event.run);
        // A new claim moves the next run time and the active runs: the job's state is the server's to say.
        reloadJob();
      } else if (event.action === 'deleted') setDeleted(true);
      else reloadJob();
    },
    [upsert, reloadJob],
  );
  useEvents(onEvent, {
    job: name,
    onReset: () => {
      reloadJob();
      reloadRuns();
    },
  });

  const act = async (what: string, action: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await action();
    } catch (error) {
      showToast('error', `${what} failed: ${error instanceof ApiError ? error.message : String(error)}`);
    } finally {
      setBusy(false);
    }
  };

  const runNow = () =>
    act('Run now', async () => {
      const run = await runJobNow(name);
      upsert(run);
      showToast(
        'ok',
        <>
          Started a run of <strong>{name}</strong>. <Link to={`/runs/${encodeURIComponent(run.id)}`}>Watch it</Link>
        </>,
      );
    });

  const togglePause = (paused: boolean) =>
    act(paused ? 'Resume' : 'Pause', async () => {
      const fresh = await (paused ? resumeJob(name) : pauseJob(name));
      setJob(() => fresh);
      showToast('ok', paused ? `Resumed ${name}: it runs from now on.` : `Paused ${name}: no new scheduled runs until resumed.`);
    });

  const remove = async (force: boolean) => {
    setBusy(true);
    try {
      const answer = await deleteJob(name, force);
      setConfirmDelete(false);
      setDependents(null);
      showToast('ok', answer.changed.length > 0
          ? `Deleted ${name}; ${answer.changed.join(', ')} no longer ${answer.changed.length === 1 ? 'refers' : 'refer'} to it.`
          : `Deleted ${name}.`);
      navigate('/');
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && !force) setDependents(error.message);
      else {
        setConfirmDelete(false);
        showToast('error', `Delete failed: ${error instanceof ApiError ? error.message : String(error)}`);
      }
    } finally {
      setBusy(false);
    }
  };

  if (deleted) {
    return (
      <Page testId="page-job" title={name}>
        <EmptyState title={`${name} was deleted`}>
          <p>Someone deleted this job while you were looking at it.</p>
          <Link to="/">Back to the jobs</Link>
        </EmptyState>
      </Page>
    );
  }

  if (job.error && !job.data) {
    return (
      <Page testId="page-job" title={name}>
        <Breadcrumb />
        <h1 style={{ marginBottom: 16 }}>{name}</h1>
        {job.error.status === 404 ? (
          <EmptyState title="No such job">
            <p>There is no job called {name}. It may have been deleted or renamed.</p>
            <Link to="/">See all jobs</Link>
          </EmptyState>
        ) : (
          <ErrorState error={job.error} what={`the job ${name}`} onRetry={reloadJob} />
        )}
      </Page>
    );
  }

  const view = job.data;
  const state = view ? jobState({ ...view, recent: runs.data?.runs.filter((r) => !isActiveStatus(r.status)) }) : null;
  const activeRuns = runs.data?.runs.filter((r) => isActiveStatus(r.status)) ?? [];

  return (
    <Page testId="page-job" title={name} wide>
      <Breadcrumb />
      <div className="page-head">
        <div style={{ minWidth: 0 }}>
          <div className="title-line">
            <h1>{name}</h1>
            {state && <StatusBadge look={JOB_STATE_LOOK[state]} large />}
          </div>
          {view?.description && <p className="subtitle">{view.description}</p>}
          {activeRuns.length > 0 && (
            <p className="subtitle small">
              Active now:{' '}
              {activeRuns.map((r, i) => (
                <span key={r.id}>
                  {i > 0 && ', '}
                  <Link to={`/runs/${encodeURIComponent(r.id)}`}>{r.status} run</Link>
                </span>
              ))}
            </p>
          )}
        </div>
        {view && (
          <div className="actions" role="group" aria-label="Job actions">
            <button type="button" className="btn btn-primary" onClick={() => void runNow()} disabled={busy}>
              <span className="icon" aria-hidden="true">
                ▶
              </span>
              Run now
            </button>
            <button type="button" className="btn" onClick={() => void togglePause(view.paused)} disabled={busy}>
              {view.paused ? 'Resume' : 'Pause'}
            </button>
            <Link className="btn" to={`/jobs/${encodeURIComponent(name)}/graph`}>
              Graph
            </Link>
            <button type="button" className="btn btn-danger" onClick={() => setConfirmDelete(true)} disabled={busy}>
              Delete…
            </button>
          </div>
        )}
      </div>

      {!view ? (
        <div className="card">
          <Loading what={`the job ${name}`} />
        </div>
      ) : (
        <>
          <div className="grid-2 grid-even">
            <JobFacts job={view} now={now} />
            <NextOccurrences job={view} now={now} revision={view.state.updatedAt + String(view.paused)} />
          </div>

          <section className="card section" aria-labelledby="history-heading" style={{ marginTop: 16 }}>
            <div className="card-head">
              <h2 id="history-heading">Run history</h2>
              <span className="hint">Newest right in the chart, first in the table; live.</span>
            </div>
            {runs.error && !runs.data ? (
              <div className="card-body">
                <ErrorState error={runs.error} what="the runs" onRetry={reloadRuns} />
              </div>
            ) : !runs.data ? (
              <Loading what="runs" />
            ) : runs.data.runs.length === 0 ? (
              <EmptyState title="No runs yet">
                <p>{view.paused ? 'The job is paused. Resume it, or run it now.' : 'Its first run shows up here as soon as it starts. Run it now to see one at once.'}</p>
              </EmptyState>
            ) : (
              <>
                <HistoryChart runs={runs.data.runs} now={now} />
                <RunsTable runs={allRuns ? runs.data.runs : runs.data.runs.slice(0, TABLE_ROWS)} now={now} />
                {(runs.data.runs.length > TABLE_ROWS || runs.data.nextCursor) && (
                  <div className="pager">
                    <span>
                      {allRuns ? runs.data.runs.length : Math.min(TABLE_ROWS, runs.data.runs.length)} of {runs.data.runs.length}
                      {runs.data.nextCursor ? '+' : ''} runs shown
                    </span>
                    {!allRuns && runs.data.runs.length > TABLE_ROWS ? (
                      <button type="button" className="btn btn-small" onClick={() => setAllRuns(true)}>
                        Show all {runs.data.runs.length}
                      </button>
                    ) : runs.data.nextCursor ? (
                      <button type="button" className="btn btn-small" onClick={() => void runs.loadOlder()}>
                        Load older runs
                      </button>
                    ) : null}
                  </div>
                )}
              </>
            )}
          </section>

          <div style={{ marginTop: 16 }}>
            <JobSpecEditor job={view} onSaved={(fresh) => setJob(() => fresh)} />
          </div>
        </>
      )}

      <ConfirmDialog
        open={confirmDelete}
        title={dependents ? `Other jobs depend on ${name}` : `Delete ${name}?`}
        confirmLabel={dependents ? 'Delete and remove the references' : 'Delete'}
        danger
        busy={busy}
        onConfirm={() => void remove(dependents !== null)}
        onCancel={() => {
          setConfirmDelete(false);
          setDependents(null);
        }}
      >
        {dependents ? (
          <>
            <p>{dependents}</p>
            <p>Deleting it anyway takes it out of their after and trigger lists.</p>
          </>
        ) : (
          <p>Its active runs are killed and its whole run history is removed. This cannot be undone.</p>
        )}
      </ConfirmDialog>
    </Page>
  );
}

function Breadcrumb() {
  return (
    <nav className="breadcrumb" aria-label="Breadcrumb">
      <Link to="/">Jobs</Link> <span aria-hidden="true">/</span>
    </nav>
  );
}
