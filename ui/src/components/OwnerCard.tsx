/**
 * One owner: contacts (secrets masked), what it hears of, mute and opt-outs, its jobs, and
 * a button that sends a test notice on every channel and shows what each one answered.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { ApiError, apiRequest } from '../api/client';
import type { JobView, Owner, OwnerTestResult } from '../api/types';
import { maskKey, muteState, NOTICE_KIND_WORDS, NOTICE_KINDS, slackTarget, webhookTarget } from '../lib/contacts';
import { plural } from '../lib/format';
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

export function OwnerCard({ owner, jobs, now }: { owner: Owner; jobs: JobView[]; now: number }) {
  const [test, setTest] = useState<TestState>({ kind: 'idle' });
  const [allJobs, setAllJobs] = useState(false);
  const send = async () => {
    setTest({ kind: 'sending' });
    try {
      const answer = await apiRequest<OwnerTestResult>('POST', `/api/v1/owners/${encodeURIComponent(owner.name)}/test`);
      setTest({ kind: 'done', answer });
    } catch (e) {
      setTest({ kind: 'error', message: e instanceof ApiError ? `Could not send: ${e.message}` : String(e) });
    }
  };
  const shownJobs = allJobs ? jobs : jobs.slice(0, JOBS_SHOWN);
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
        <h3>{jobs.length === 0 ? 'No jobs' : plural(jobs.length, 'job')}</h3>
        {jobs.length > 0 && (
          <ul className="tags owner-jobs">
            {shownJobs.map((job) => (
              <li key={job.name}>
                <Link to={`/jobs/${encodeURIComponent(job.name)}`} className="tag owner-job">
                  {job.name}
                  {job.paused && <span className="paused-tag"> (paused)</span>}
                </Link>
              </li>
            ))}
            {jobs.length > JOBS_SHOWN && (
              <li>
                <button type="button" className="btn btn-small btn-quiet" onClick={() => setAllJobs(!allJobs)} aria-expanded={allJobs}>
                  {allJobs ? 'Fewer' : `${jobs.length - JOBS_SHOWN} more`}
                </button>
              </li>
            )}
          </ul>
        )}
      </div>
    </li>
  );
}
