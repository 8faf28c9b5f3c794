/** What a job does and when, in words: the summary beside its next runs. */
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { JobView, TriggerTarget } from '../api/types';
import { formatRelative, formatTime, VIEWER_ZONE, zoneAbbreviation } from '../lib/format';
import { describeSchedule } from '../lib/schedule';

const jobLink = (name: string) => (
  <Link key={name} to={`/jobs/${encodeURIComponent(name)}`}>
    {name}
  </Link>
);

function joined(items: ReactNode[]) {
  return items.map((item, i) => (
    <span key={i}>
      {i > 0 && ', '}
      {item}
    </span>
  ));
}

const targetNode = (t: TriggerTarget) => (typeof t === 'string' ? jobLink(t) : <span className="mono">{new URL(t.url).host} (webhook)</span>);

function dstRule(job: JobView): string {
  if (!job.dst) return 'default (fixed times run once and right after a gap; intervals keep real time)';
  const gap = job.dst.gap === 'next' ? 'a missing time runs right after the gap' : 'a missing time is skipped';
  const overlap = job.dst.overlap === 'once' ? 'a repeated time runs once' : 'a repeated time runs twice';
  return `${gap}; ${overlap}`;
}

export function JobFacts({ job, now }: { job: JobView; now: number }) {
  const words = describeSchedule(job.schedule, job.timezone);
  const next = job.paused ? null : job.state.nextRunAt;
  const command = job.command ?? job.args?.join(' ') ?? '';
  return (
    <section className="card" aria-labelledby="facts-heading">
      <div className="card-head">
        <h2 id="facts-heading">Overview</h2>
      </div>
      <div className="card-body">
        <dl className="facts">
          <dt>Schedule</dt>
          <dd>
            {job.schedule ? (
              <>
                {words ?? job.schedule} {words && <code className="muted">{job.schedule}</code>}
              </>
            ) : (
              <span className="muted">none: {job.after.length > 0 ? 'runs after its parents succeed' : 'runs only when started'}</span>
            )}
          </dd>
          <dt>Time zone</dt>
          <dd>
            {job.timezone} {zoneAbbreviation(job.timezone) !== job.timezone && <span className="muted">({zoneAbbreviation(job.timezone)})</span>}
          </dd>
          {job.schedule && (
            <>
              <dt>DST rule</dt>
              <dd>{dstRule(job)}</dd>
            </>
          )}
          <dt>Next run</dt>
          <dd>
            {job.paused ? (
              <span className="paused-tag">paused</span>
            ) : next ? (
              <>
                <time dateTime={next} title={`${formatTime(next, { zone: 'UTC' })} UTC`}>
                  {formatTime(next, { zone: job.timezone })} {zoneAbbreviation(job.timezone, next)}
                </time>{' '}
                <span className="muted">({formatRelative(next, now)})</span>
                {VIEWER_ZONE !== job.timezone && (
                  <span className="sub">
                    yours: {formatTime(next)} {zoneAbbreviation(VIEWER_ZONE, next)}
                  </span>
                )}
              </>
            ) : (
              <span className="muted">—</span>
            )}
          </dd>
          <dt>Command</dt>
          <dd>
            <code className="command" title={command}>
              {command}
            </code>
            {job.container && <span className="sub">in container {job.container.image}</span>}
          </dd>
          {job.after.length > 0 && (
            <>
              <dt>After</dt>
              <dd>{joined(job.after.map(jobLink))}</dd>
            </>
          )}
          {(job.triggers.onSuccess.length > 0 || job.triggers.onFailure.length > 0) && (
            <>
              <dt>Triggers</dt>
              <dd>
                {job.triggers.onSuccess.length > 0 && <div>on success: {joined(job.triggers.onSuccess.map(targetNode))}</div>}
                {job.triggers.onFailure.length > 0 && <div>on failure: {joined(job.triggers.onFailure.map(targetNode))}</div>}
              </dd>
            </>
          )}
          <dt>Overlap</dt>
          <dd>
            {job.concurrency === 'forbid' ? 'one run at a time (forbid)' : job.concurrency === 'allow' ? 'runs may overlap (allow)' : 'a new run replaces the old (replace)'}
          </dd>
          <dt>Missed runs</dt>
          <dd>
            {job.misfire.policy}, within {String(job.misfire.window)}
          </dd>
          <dt>Retries</dt>
          <dd>{job.retries.max === 0 ? 'none' : `up to ${job.retries.max}, from ${String(job.retries.backoff)} ×${job.retries.factor}`}</dd>
          <dt>Timeout</dt>
          <dd>{job.timeout !== undefined ? String(job.timeout) : 'none'}</dd>
          <dt>Resources</dt>
          <dd>
            {job.resources.cpus} cpu · {job.resources.mem} MiB{job.resources.gpus ? ` · ${job.resources.gpus} gpu` : ''} · priority {job.priority}
          </dd>
          {job.owners.length > 0 && (
            <>
              <dt>Owners</dt>
              <dd>
                {joined(
                  job.owners.map((o) => (
                    <Link key={o} to={`/owners#owner-${encodeURIComponent(o)}`}>
                      {o}
                    </Link>
                  )),
                )}
              </dd>
            </>
          )}
          {Object.keys(job.labels).length > 0 && (
            <>
              <dt>Labels</dt>
              <dd className="tags">
                {Object.entries(job.labels).map(([k, v]) => (
                  <Link key={k} className="tag" to={`/?label=${encodeURIComponent(`${k}=${v}`)}`}>
                    {k}={v}
                  </Link>
                ))}
              </dd>
            </>
          )}
        </dl>
      </div>
    </section>
  );
}
