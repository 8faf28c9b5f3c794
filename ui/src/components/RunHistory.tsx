/**
 * A job's runs over time, oldest left: bars up are how long each took (coloured by status),
 * hatched bars down are how late it started (skew). Each bar opens its run. The table under
 * it has the same runs in words.
 */
import { Link } from 'react-router';
import type { Run } from '../api/types';
import { isActiveStatus } from '../api/types';
import { formatDuration, formatTime } from '../lib/format';
import { RUN_STATUS_LOOK } from '../lib/status';
import { StatusBadge } from './StatusBadge';
import { Time } from './Time';

const CHART_RUNS = 60;
const UP_PX = 110;
const DOWN_PX = 36;
/** Skews are drawn against at least this: a start within the scheduler's on-time threshold stays a sliver. */
const SKEW_SCALE_MIN_MS = 5_000;

/** How long a run has taken so far (a running run keeps growing). */
const tookMs = (run: Run, now: number): number | null =>
  run.durationMs ?? (run.startedAt && isActiveStatus(run.status) ? Math.max(0, now - new Date(run.startedAt).getTime()) : null);

function describe(run: Run, now: number): string {
  const look = RUN_STATUS_LOOK[run.status];
  const took = tookMs(run, now);
  return [
    `${look.label}`,
    `scheduled ${formatTime(run.scheduledAt, { seconds: true })}`,
    took !== null ? `took ${formatDuration(took)}${isActiveStatus(run.status) ? ' so far' : ''}` : null,
    run.skewMs !== null ? `started ${formatDuration(run.skewMs)} late` : null,
    run.trigger !== 'schedule' ? `trigger ${run.trigger}` : null,
    run.exitCode !== null ? `exit ${run.exitCode}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

function summary(runs: Run[]): string {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return `Chart of the last ${runs.length} runs: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}.`;
}

export function HistoryChart({ runs, now }: { runs: Run[]; now: number }) {
  const shown = runs.slice(0, CHART_RUNS).reverse();
  const longest = Math.max(1, ...shown.map((r) => tookMs(r, now) ?? 0));
  const latest = Math.max(SKEW_SCALE_MIN_MS, ...shown.map((r) => Math.max(0, r.skewMs ?? 0)));
  const anySkew = shown.some((r) => (r.skewMs ?? 0) > 0);
  const worstSkew = Math.max(0, ...shown.map((r) => r.skewMs ?? 0));
  return (
    <div className="history">
      <div className="history-scale small muted">
        <span>↑ took, up to {formatDuration(longest)}</span>
        {anySkew && <span>↓ started late, at most {formatDuration(worstSkew)}</span>}
      </div>
      <p className="visually-hidden">{summary(shown)} The table below lists them.</p>
      {/* The same runs as the table below: pointer users click a bar, keyboard users the table's links. */}
      <ol className="history-plot" aria-hidden="true">
        {shown.map((run) => {
          const took = tookMs(run, now);
          const up = took === null ? 3 : Math.max(3, Math.round((UP_PX * took) / longest));
          const down = Math.round((DOWN_PX * Math.max(0, run.skewMs ?? 0)) / latest);
          const text = describe(run, now);
          return (
            <li key={run.id}>
              <Link to={`/runs/${encodeURIComponent(run.id)}`} className="history-col" title={text} tabIndex={-1}>
              <span className="history-up" style={{ height: UP_PX }}>
                <span className={`history-bar ${RUN_STATUS_LOOK[run.status].tone}${isActiveStatus(run.status) ? ' history-active' : ''}`} style={{ height: up }} />
              </span>
              <span className="history-down" style={{ height: DOWN_PX }}>
                {(run.skewMs ?? 0) > 0 && <span className="history-skew" style={{ height: Math.max(1, down) }} />}
              </span>
              </Link>
            </li>
          );
        })}
      </ol>
      {shown.length > 0 && (
        <div className="history-axis">
          <span>{formatTime(shown[0]!.scheduledAt, { seconds: false })}</span>
          <span>{formatTime(shown[shown.length - 1]!.scheduledAt, { seconds: false })}</span>
        </div>
      )}
      <div className="legend" aria-hidden="true" style={{ marginTop: 8 }}>
        {(['succeeded', 'failed', 'running', 'killed', 'lost', 'skipped'] as const).map((s) => (
          <span key={s}>
            <span className={`legend-swatch ${RUN_STATUS_LOOK[s].tone}`} />
            {s}
          </span>
        ))}
        {anySkew && (
          <span>
            <span className="legend-swatch skew" />
            start delay
          </span>
        )}
      </div>
    </div>
  );
}

export function RunsTable({ runs, now }: { runs: Run[]; now: number }) {
  return (
    <div className="table-wrap">
      <table className="data">
        <caption className="visually-hidden">Runs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Status</th>
            <th scope="col" className="hide-narrow">
              Trigger
            </th>
            <th scope="col">Scheduled</th>
            <th scope="col" className="num">
              Skew
            </th>
            <th scope="col" className="num">
              Took
            </th>
            <th scope="col" className="hide-narrow">
              Exit / reason
            </th>
            <th scope="col" className="hide-narrow">
              Agent
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const took = tookMs(run, now);
            return (
              <tr key={run.id}>
                <td>
                  <Link to={`/runs/${encodeURIComponent(run.id)}`} className="mono">
                    {shortId(run.id)}
                  </Link>
                  {run.attempt > 1 && <span className="sub">attempt {run.attempt}</span>}
                </td>
                <td>
                  <StatusBadge status={run.status} />
                  {run.late && <span className="sub">late (SLA)</span>}
                </td>
                <td className="hide-narrow">{run.trigger}</td>
                <td className="nowrap">
                  <Time iso={run.scheduledAt} />
                </td>
                <td className="num nowrap">{formatDuration(run.skewMs)}</td>
                <td className="num nowrap">{took === null ? '—' : `${formatDuration(took)}${isActiveStatus(run.status) ? '…' : ''}`}</td>
                <td className="hide-narrow reason-cell">
                  {run.exitCode !== null && <span className="mono">exit {run.exitCode}</span>}
                  {run.reason && run.reason !== `exit code ${run.exitCode}` && (
                    <span className="sub" title={run.reason}>
                      {run.reason}
                    </span>
                  )}
                  {run.exitCode === null && !run.reason && <span className="muted">—</span>}
                </td>
                <td className="hide-narrow mono small">{run.agent ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Run ids are long; the first part tells them apart in a list, the whole id is on the run's page. */
export const shortId = (id: string): string => (id.length > 14 ? `${id.slice(0, 12)}…` : id);
