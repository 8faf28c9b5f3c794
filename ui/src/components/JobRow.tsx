/** One job in the jobs table. */
import { memo } from 'react';
import { Link } from 'react-router';
import type { JobView } from '../api/types';
import { formatRelative, formatShort, formatTime, VIEWER_ZONE } from '../lib/format';
import { jobState, labelPairs, scheduleText } from '../lib/job-list';
import { JOB_STATE_LOOK } from '../lib/status';
import { Sparkline } from './Sparkline';
import { StatusBadge } from './StatusBadge';

interface JobRowProps {
  job: JobView;
  now: number;
  selected: boolean;
  busy: boolean;
  onSelect: (name: string, selected: boolean) => void;
  onRun: (name: string) => void;
  onPauseToggle: (job: JobView) => void;
}

function ScheduleCell({ job }: { job: JobView }) {
  if (!job.schedule) {
    return <span className="muted">{job.after.length > 0 ? `After ${job.after.join(', ')}` : 'Manual only'}</span>;
  }
  const words = scheduleText(job);
  return (
    <>
      <span>{words}</span>
      {words !== job.schedule && <code className="sub">{job.schedule}</code>}
    </>
  );
}

function NextRunCell({ job, now }: { job: JobView; now: number }) {
  const next = job.state.nextRunAt;
  if (job.paused) return <span className="paused-tag">paused</span>;
  if (!next) return <span className="muted">{job.schedule ? 'no more runs' : '—'}</span>;
  const due = new Date(next).getTime() <= now;
  const inJobZone = formatShort(next, job.timezone);
  const inViewerZone = formatShort(next, VIEWER_ZONE);
  return (
    <span className="next-run">
      <time dateTime={next} title={`${formatTime(next, { zone: 'UTC' })} UTC`}>
        {due ? 'due now' : formatRelative(next, now)}
      </time>
      <span className="zone">{inJobZone}</span>
      {inViewerZone !== inJobZone && (
        <span className="zone">
          {inViewerZone} <span className="visually-hidden">in your time zone</span>
          <span aria-hidden="true">· you</span>
        </span>
      )}
    </span>
  );
}

function LastStatusCell({ job }: { job: JobView }) {
  const active = job.state.activeRuns.length;
  const last = job.recent?.[0];
  const state = jobState(job);
  if (active > 0) {
    return (
      <>
        <StatusBadge look={{ ...JOB_STATE_LOOK.running, label: active === 1 ? 'running' : `${active} running` }} />
        {last && <span className="sub">last: {last.status}</span>}
      </>
    );
  }
  if (!last) return <span className="muted small">{state === 'paused' ? '—' : 'no runs yet'}</span>;
  return (
    <Link to={`/runs/${encodeURIComponent(last.id)}`} aria-label={`Last run of ${job.name}: ${last.status}`} className="plain-link">
      <StatusBadge status={last.status} />
    </Link>
  );
}

const MAX_LABELS = 3;

function JobRowView({ job, now, selected, busy, onSelect, onRun, onPauseToggle }: JobRowProps) {
  const labels = labelPairs(job);
  return (
    <tr className={selected ? 'selected' : undefined}>
      <td className="col-check">
        <input type="checkbox" checked={selected} onChange={(e) => onSelect(job.name, e.target.checked)} aria-label={`Select ${job.name}`} />
      </td>
      <td className="col-name">
        <Link to={`/jobs/${encodeURIComponent(job.name)}`} className="job-name">
          {job.name}
        </Link>
        {job.paused && <span className="paused-tag"> · paused</span>}
        {(job.description || labels.length > 0) && (
          <div className="job-meta">
            {job.description && (
              <span className="job-desc" title={job.description}>
                {job.description}
              </span>
            )}
            {labels.slice(0, MAX_LABELS).map((l) => (
              <span key={l} className="tag">
                {l}
              </span>
            ))}
            {labels.length > MAX_LABELS && (
              <span className="tag" title={labels.slice(MAX_LABELS).join(', ')}>
                +{labels.length - MAX_LABELS}
              </span>
            )}
          </div>
        )}
      </td>
      <td className="col-schedule">
        <ScheduleCell job={job} />
      </td>
      <td className="col-zone">{job.timezone}</td>
      <td className="col-next">
        <NextRunCell job={job} now={now} />
      </td>
      <td className="col-status">
        <LastStatusCell job={job} />
      </td>
      <td className="col-spark">
        <Sparkline runs={job.recent} job={job.name} />
      </td>
      <td className="col-actions">
        <div className="row-actions">
          <button type="button" className="btn btn-small" onClick={() => onRun(job.name)} disabled={busy} aria-label={`Run ${job.name} now`}>
            <span className="icon" aria-hidden="true">
              ▶
            </span>
            Run
          </button>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => onPauseToggle(job)}
            disabled={busy}
            aria-label={job.paused ? `Resume ${job.name}` : `Pause ${job.name}`}
          >
            {job.paused ? 'Resume' : 'Pause'}
          </button>
        </div>
      </td>
    </tr>
  );
}

export const JobRow = memo(JobRowView);
