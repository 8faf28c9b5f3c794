/**
 * `/runs/:id` (notices link here): one run's status, why and when it ran, where, how it
 * ended; its logs while they are written; kill while it is active. Live.
 */
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, runPath, useApi } from '../api/client';
import { useEvents } from '../api/events';
import type { Run, SchedulerEvent } from '../api/types';
import { isActiveStatus } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { LogViewer } from '../components/LogViewer';
import { Page } from '../components/Page';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { Time } from '../components/Time';
import { showToast } from '../components/Toasts';
import { useNow } from '../components/useNow';
import { formatBytes, formatCpuSeconds, formatDuration } from '../lib/format';
import { killRun } from '../lib/job-actions';

const TRIGGER_WORDS: Record<Run['trigger'], string> = {
  schedule: 'its schedule',
  manual: 'started by hand',
  retry: 'a retry',
  dependency: 'its parents succeeded',
  trigger: 'a trigger of another job',
};

function Outcome({ run }: { run: Run }) {
  if (isActiveStatus(run.status)) return <span className="muted">not finished</span>;
  // The reason often just repeats the exit code.
  const reason = run.reason && run.reason !== `exit code ${run.exitCode}` ? run.reason : null;
  return (
    <>
      {run.exitCode !== null && <span className="mono">exit code {run.exitCode}</span>}
      {run.exitCode !== null && reason && ' · '}
      {reason && <span>{reason}</span>}
      {run.exitCode === null && !reason && <span className="muted">—</span>}
    </>
  );
}

/** Keyed by the id, so following a cause link shows the other run's logs, not these. */
export function RunPage() {
  const id = useParams().id!;
  return <RunView key={id} id={id} />;
}

function RunView({ id }: { id: string }) {
  const now = useNow(1_000);
  const { data: run, error, loading, reload, setData } = useApi<Run>(runPath(id));
  const [confirmKill, setConfirmKill] = useState(false);
  const [killing, setKilling] = useState(false);

  const onEvent = useCallback(
    (event: SchedulerEvent) => {
      if (event.kind === 'run' && event.run.id === id) setData(() => event.run);
    },
    [id, setData],
  );
  useEvents(onEvent, { job: run?.job, onReset: reload });

  const kill = async () => {
    setKilling(true);
    try {
      await killRun(id);
      showToast('ok', 'Kill sent: the run ends once its process has stopped.');
      setConfirmKill(false);
    } catch (e) {
      setConfirmKill(false);
      showToast('error', `Kill failed: ${e instanceof ApiError ? e.message : String(e)}`);
      reload();
    } finally {
      setKilling(false);
    }
  };

  if (error && !run) {
    return (
      <Page testId="page-run" title={`Run ${id}`}>
        <nav className="breadcrumb" aria-label="Breadcrumb">
          <Link to="/">Jobs</Link> /
        </nav>
        <h1 style={{ marginBottom: 16 }}>Run</h1>
        {error.status === 404 ? (
          <EmptyState title="No such run">
            <p>Run {id} is not known. Its job may have been deleted, or its history pruned (see the job’s history limits).</p>
            <Link to="/">See all jobs</Link>
          </EmptyState>
        ) : (
          <ErrorState error={error} what={`run ${id}`} onRetry={reload} />
        )}
      </Page>
    );
  }

  if (!run || (loading && !run)) {
    return (
      <Page testId="page-run" title={`Run ${id}`}>
        <Loading what="the run" />
      </Page>
    );
  }

  const active = isActiveStatus(run.status);
  const took = run.durationMs ?? (run.startedAt && active ? now - new Date(run.startedAt).getTime() : null);

  return (
    <Page testId="page-run" title={`${run.job} run ${run.status}`} wide>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/">Jobs</Link> <span aria-hidden="true">/</span> <Link to={`/jobs/${encodeURIComponent(run.job)}`}>{run.job}</Link>{' '}
        <span aria-hidden="true">/</span>
      </nav>
      <div className="page-head">
        <div style={{ minWidth: 0 }}>
          <div className="title-line">
            <h1>Run of {run.job}</h1>
            <StatusBadge status={run.status} large />
            {run.late && <span className="status c-wait">late (SLA)</span>}
          </div>
          <p className="subtitle mono small">{run.id}</p>
        </div>
        <div className="actions">
          {active && (
            <button type="button" className="btn btn-danger" onClick={() => setConfirmKill(true)}>
              ■ Kill…
            </button>
          )}
          <Link className="btn" to={`/jobs/${encodeURIComponent(run.job)}`}>
            Job and history
          </Link>
        </div>
      </div>

      <div className="grid-2 run-grid">
        <section className="card" aria-labelledby="run-facts">
          <div className="card-head">
            <h2 id="run-facts">Details</h2>
          </div>
          <div className="card-body">
            <dl className="facts">
              <dt>Status</dt>
              <dd>
                <StatusBadge status={run.status} />
              </dd>
              <dt>Outcome</dt>
              <dd>
                <Outcome run={run} />
              </dd>
              <dt>Why it ran</dt>
              <dd>
                {TRIGGER_WORDS[run.trigger]} <span className="muted">({run.trigger})</span>
              </dd>
              {run.causes.length > 0 && (
                <>
                  <dt>Caused by</dt>
                  <dd>
                    {run.causes.map((c, i) => (
                      <span key={c}>
                        {i > 0 && ', '}
                        <Link className="mono" to={`/runs/${encodeURIComponent(c)}`}>
                          {c}
                        </Link>
                      </span>
                    ))}
                  </dd>
                </>
              )}
              <dt>Attempt</dt>
              <dd>
                {run.attempt}
                {run.attempt > 1 && run.rootId !== run.id && (
                  <>
                    {' '}
                    · first attempt{' '}
                    <Link className="mono" to={`/runs/${encodeURIComponent(run.rootId)}`}>
                      {run.rootId}
                    </Link>
                  </>
                )}
              </dd>
              <dt>Scheduled</dt>
              <dd>
                <Time iso={run.scheduledAt} zoneName />
              </dd>
              <dt>Started</dt>
              <dd>{run.startedAt ? <Time iso={run.startedAt} zoneName /> : <span className="muted">{active ? 'not yet' : 'never'}</span>}</dd>
              <dt>Finished</dt>
              <dd>{run.finishedAt ? <Time iso={run.finishedAt} zoneName /> : <span className="muted">{active ? 'not yet' : '—'}</span>}</dd>
              <dt>Skew</dt>
              <dd>
                {run.skewMs === null ? <span className="muted">—</span> : `${formatDuration(run.skewMs)} after its scheduled time`}
              </dd>
              <dt>Took</dt>
              <dd>{took === null ? <span className="muted">—</span> : `${formatDuration(took)}${active ? ' so far' : ''}`}</dd>
              {run.usage && (
                <>
                  <dt>Used</dt>
                  <dd>
                    {formatCpuSeconds(run.usage.cpuSeconds)} of CPU
                    {run.usage.peakMemoryBytes !== null && `, ${formatBytes(run.usage.peakMemoryBytes)} of memory at most`}
                  </dd>
                </>
              )}
              <dt>Agent</dt>
              <dd className="mono">{run.agent ?? <span className="muted">not placed yet</span>}</dd>
              {run.taskId && (
                <>
                  <dt>Task</dt>
                  <dd className="mono small">{run.taskId}</dd>
                </>
              )}
              {run.deadline && (
                <>
                  <dt>Deadline</dt>
                  <dd>
                    <Time iso={run.deadline} />
                  </dd>
                </>
              )}
              {Object.keys(run.labels).length > 0 && (
                <>
                  <dt>Labels</dt>
                  <dd className="tags">
                    {Object.entries(run.labels).map(([k, v]) => (
                      <span key={k} className="tag">
                        {k}={v}
                      </span>
                    ))}
                  </dd>
                </>
              )}
              <dt>Key</dt>
              <dd className="mono small">{run.key}</dd>
            </dl>
          </div>
        </section>
        <LogViewer runId={run.id} active={active} />
      </div>

      <ConfirmDialog
        open={confirmKill}
        title={`Kill this run of ${run.job}?`}
        confirmLabel="Kill the run"
        danger
        busy={killing}
        onConfirm={() => void kill()}
        onCancel={() => setConfirmKill(false)}
      >
        <p>Its process group gets TERM, then KILL after the job’s grace period. A killed run is not retried.</p>
      </ConfirmDialog>
    </Page>
  );
}
