/**
 * One owner: contacts (secrets masked), what it hears of, mute and opt-outs, its jobs, and
 * a button that sends a test notice on every channel and shows what each one answered. The
 * card asks for its owner's first jobs and their count; "more" loads the rest a page at a time.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { ApiError, apiRequest } from '../api/client';
import type { Owner, OwnerTestResult } from '../api/types';
import { useOwnerJobs, type OwnerJobsState } from '../hooks/useOwnerJobs';
import { maskKey, muteState, NOTICE_KIND_WORDS, NOTICE_KINDS, slackTarget, webhookTarget } from '../lib/contacts';
import { plural } from '../lib/format';
import { MAX_PAGE } from '../lib/job-paging';
import { ErrorState } from './States';
import { Time } from './Time';

const JOBS_SHOWN = 12;
const CHANNEL_WORDS: Record<OwnerTestResult['results'][number]['channel'], string> = { email: 'E-mail', pagerduty: 'PagerDuty', slack: 'Slack', webhook: 'Webhook' };

type TestState = { kind: 'idle' } | { kind: 'sending' } | { kind: 'done'; answer: OwnerTestResult } | { kind: 'error'; message: string };

const hasChannel = (o: Owner): boolean => o.email.length > 0 || Boolean(o.pagerdutyRoutingKey || o.slackWebhook || o.webhook);

function MuteBadge({ owner, now }: { owner: Owner; now: number }) {
  const state = muteState(owner.mute, now);
  if (!hasChannel(owner)) {
    return (
      <span className="status c-skip">
        <span className="status-glyph" aria-hidden="true">
          ○
        </span>
        no channel
      </span>
    );
  }
  if (!state.muted) {
    return (
      <span className="status c-ok">
        <span className="status-glyph" aria-hidden="true">
          ✓
        </span>
        notices on
      </span>
    );
  }
  return (
    <span className="status c-wait">
      <span className="status-glyph" aria-hidden="true">
        ‖
      </span>
      {state.until ? (
        <span>
          muted until <Time iso={state.until} seconds={false} />
        </span>
      ) : (
        'muted'
      )}
    </span>
  );
}

function Contacts({ owner }: { owner: Owner }) {
  const webhook = owner.webhook ? webhookTarget(owner.webhook) : null;
  if (!hasChannel(owner)) return <p className="muted">No channel: this owner hears of nothing until one is added.</p>;
  return (
    <dl className="facts owner-contacts">
      {owner.email.length > 0 && (
        <>
          <dt>E-mail</dt>
          <dd>
            {owner.email.map((address, i) => (
              <span key={address}>
                {i > 0 && ', '}
                <a href={`mailto:${address}`}>{address}</a>
              </span>
            ))}
          </dd>
        </>
      )}
      {owner.pagerdutyRoutingKey && (
        <>
          <dt>PagerDuty</dt>
          <dd>
            routing key <span className="mono">{maskKey(owner.pagerdutyRoutingKey)}</span>
          </dd>
        </>
      )}
      {owner.slackWebhook && (
        <>
          <dt>Slack</dt>
          <dd>{slackTarget(owner.slackWebhook)}</dd>
        </>
      )}
      {webhook && (
        <>
          <dt>Webhook</dt>
          <dd>
            <span className="mono">{webhook.where}</span>
            {webhook.signed && <span className="muted"> · signed (HMAC-SHA256)</span>}
          </dd>
        </>
      )}
    </dl>
  );
}

function TestOutcome({ state }: { state: TestState }) {
  if (state.kind === 'error') {
    return (
      <div className="banner banner-error owner-test">
        <div className="banner-body">
          <p>{state.message}</p>
        </div>
      </div>
    );
  }
  if (state.kind !== 'done') return null;
  const failed = state.answer.results.filter((r) => !r.ok).length;
  return (
    <div className={`banner ${failed ? 'banner-error' : 'banner-ok'} owner-test`}>
      <div className="banner-body">
        <p>
          <strong>{failed === 0 ? 'Test notice delivered on every channel.' : `${plural(failed, 'channel')} of ${state.answer.results.length} failed.`}</strong>
        </p>
        <ul className="owner-test-results">
          {state.answer.results.map((r, i) => (
            <li key={`${r.channel}-${i}`}>
              <span className={`status ${r.ok ? 'c-ok' : 'c-fail'}`}>
                <span className="status-glyph" aria-hidden="true">
                  {r.ok ? '✓' : '✕'}
                </span>
                {CHANNEL_WORDS[r.channel] ?? r.channel}: {r.ok ? 'delivered' : 'failed'}
              </span>
              {r.reason && <span className="owner-test-reason"> {r.reason}</span>}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/**
 * The owner's jobs: the first JOBS_SHOWN, or every one loaded once expanded. Expanding loads
 * the next page when nothing beyond the first ones is loaded yet; then more a page at a time.
 */
function OwnerJobList({ owner, jobs }: { owner: string; jobs: OwnerJobsState }) {
  const [expanded, setExpanded] = useState(false);
  const { data, error, loadingMore, loadMore, reload } = jobs;
  const what = `the jobs of ${owner}`;
  if (!data) {
    return (
      <>
        <h3>Jobs</h3>
        {error ? <ErrorState error={error} what={what} onRetry={reload} /> : <p className="small muted">Loading the jobs…</p>}
      </>
    );
  }
  const shownJobs = expanded ? data.jobs : data.jobs.slice(0, JOBS_SHOWN);
  const hidden = data.total - shownJobs.length;
  const toggle = () => {
    if (!expanded && data.jobs.length <= JOBS_SHOWN) loadMore();
    setExpanded(!expanded);
  };
  return (
    <>
      <h3>{data.total === 0 ? 'No jobs' : plural(data.total, 'job')}</h3>
      {error && <ErrorState error={error} what={what} onRetry={reload} />}
      {data.total > 0 && (
        <ul className="tags owner-jobs">
          {shownJobs.map((job) => (
            <li key={job.name}>
              <Link to={`/jobs/${encodeURIComponent(job.name)}`} className="tag owner-job">
                {job.name}
                {job.paused && <span className="paused-tag"> (paused)</span>}
              </Link>
            </li>
          ))}
          {expanded && hidden > 0 && (
            <li>
              <button type="button" className="btn btn-small btn-quiet" onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : hidden > MAX_PAGE ? `${MAX_PAGE.toLocaleString('en')} more of ${hidden.toLocaleString('en')}` : `${hidden.toLocaleString('en')} more`}
              </button>
            </li>
          )}
          {data.total > JOBS_SHOWN && (
            <li>
              <button type="button" className="btn btn-small btn-quiet" onClick={toggle} aria-expanded={expanded}>
                {expanded ? 'Fewer' : `${hidden.toLocaleString('en')} more`}
              </button>
            </li>
          )}
          {data.total > JOBS_SHOWN && (
            <li>
              <Link to={`/?owner=${encodeURIComponent(owner)}`} className="owner-job owner-jobs-all">
                All<span className="visually-hidden"> jobs of {owner}</span> in the jobs list
              </Link>
            </li>
          )}
        </ul>
      )}
    </>
  );
}

export function OwnerCard({ owner, now }: { owner: Owner; now: number }) {
  const [test, setTest] = useState<TestState>({ kind: 'idle' });
  const jobs = useOwnerJobs(owner.name, JOBS_SHOWN);
  const send = async () => {
    setTest({ kind: 'sending' });
    try {
      const answer = await apiRequest<OwnerTestResult>('POST', `/api/v1/owners/${encodeURIComponent(owner.name)}/test`);
      setTest({ kind: 'done', answer });
    } catch (e) {
      setTest({ kind: 'error', message: e instanceof ApiError ? `Could not send: ${e.message}` : String(e) });
    }
  };
  const titleId = `owner-${owner.name}`;
  return (
    <li className="card owner" data-testid="owner" data-owner={owner.name} aria-labelledby={titleId}>
      <div className="card-head">
        <div className="title-line">
          <h2 id={titleId}>{owner.name}</h2>
          <MuteBadge owner={owner} now={now} />
        </div>
        <button type="button" className="btn btn-small" onClick={() => void send()} disabled={test.kind === 'sending'} aria-describedby={`${titleId}-test`}>
          {test.kind === 'sending' ? 'Sending…' : 'Send a test notice'}
        </button>
      </div>
      <div className="card-body owner-body">
        <div role="status" id={`${titleId}-test`} className="owner-test-status">
          <TestOutcome state={test} />
        </div>
        <div className="owner-columns">
          <div>
            <h3>Contacts</h3>
            <Contacts owner={owner} />
          </div>
          <div>
            <h3>Hears of</h3>
            <ul className="owner-kinds">
              {NOTICE_KINDS.map((kind) => {
                const on = owner.notifyOn.includes(kind);
                return (
                  <li key={kind} className={on ? 'kind-on' : 'kind-off'}>
                    <span aria-hidden="true">{on ? '✓' : '–'}</span> {NOTICE_KIND_WORDS[kind]}
                    <span className="visually-hidden">{on ? ': yes' : ': no'}</span>
                  </li>
                );
              })}
            </ul>
            {typeof owner.mute === 'string' && !muteState(owner.mute, now).muted && (
              <p className="small muted">
                Was muted until <Time iso={owner.mute} seconds={false} />.
              </p>
            )}
            {owner.optOut.length > 0 && (
              <>
                <h3>Opted out of</h3>
                <ul className="tags owner-jobs">
                  {owner.optOut.map((name) => (
                    <li key={name}>
                      <Link to={`/jobs/${encodeURIComponent(name)}`} className="tag owner-job">
                        {name}
                      </Link>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        </div>
        <OwnerJobList owner={owner.name} jobs={jobs} />
      </div>
    </li>
  );
}
