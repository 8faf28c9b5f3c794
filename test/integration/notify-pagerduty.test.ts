/**
 * PagerDuty Events API v2 notices against a loopback HTTP receiver standing in for
 * events.pagerduty.com: trigger, resolve with the same dedup key, and PagerDuty's answers.
 *
 * Run: node --import tsx --test test/integration/notify-pagerduty.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NoticeTarget } from '../../src/core/types.js';
import { PAGERDUTY_EVENTS_URL } from '../../src/notify/index.js';
import { eventually, failureFacts, HttpReceiver, LAST_STDERR_LINE, notice, recordingNotifier, UI_URL } from '../helpers/notice-receivers.js';

const ACCEPTED = { status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"x"}' };

const pdTarget = (action: 'trigger' | 'resolve', dedupKey = 'moroccron/job/nightly-report'): NoticeTarget => ({
  channel: 'pagerduty',
  routingKey: 'R0UT1NGKEY',
  action,
  dedupKey,
});

test('the default endpoint is the Events API v2', () => {
  assert.equal(PAGERDUTY_EVENTS_URL, 'https://events.pagerduty.com/v2/enqueue');
});

test('a failure triggers an incident and the recovery resolves it with the same dedup key', async () => {
  const pd = await HttpReceiver.start();
  pd.answer = () => ACCEPTED;
  const { notifier, delivered } = recordingNotifier({ channels: { pagerdutyUrl: `${pd.url}/v2/enqueue` } });
  try {
    const trigger = notice(pdTarget('trigger'));
    notifier.deliver([trigger]);
    await eventually('the trigger', () => delivered.includes(trigger.id));
    const recovered = notice(pdTarget('resolve'), failureFacts({ kind: 'recovery', run: { ...failureFacts().run!, id: 'run-0mj8', attempt: 1, status: 'succeeded', exitCode: 0 }, waiting: [] }));
    notifier.deliver([recovered]);
    await eventually('the resolve', () => delivered.includes(recovered.id));
  } finally {
    await notifier.close();
    await pd.stop();
  }

  assert.equal(pd.requests.length, 2);
  const [triggered, resolved] = pd.requests.map((r) => r.json as Record<string, unknown>);
  assert.equal(pd.requests[0]!.path, '/v2/enqueue');
  assert.equal(pd.requests[0]!.headers['content-type'], 'application/json');
  assert.deepEqual(resolved, { routing_key: 'R0UT1NGKEY', event_action: 'resolve', dedup_key: 'moroccron/job/nightly-report' });
  assert.equal(triggered!.routing_key, 'R0UT1NGKEY');
  assert.equal(triggered!.event_action, 'trigger');
  assert.equal(triggered!.dedup_key, resolved!.dedup_key);
  assert.deepEqual(triggered!.links, [{ href: `${UI_URL}/runs/run-0mj7`, text: 'Open in moroccron' }]);

  const payload = triggered!.payload as Record<string, unknown>;
  assert.equal(payload.summary, 'FAILED nightly-report (run run-0mj7, attempt 2): exit code 3');
  assert.equal(payload.source, 'agent-7');
  assert.equal(payload.severity, 'error');
  assert.equal(payload.component, 'nightly-report');
  assert.equal(payload.group, 'data-team');
  assert.equal(payload.class, 'failure');
  assert.equal(payload.timestamp, '2026-03-01T02:03:00.000Z');
  const details = payload.custom_details as Record<string, string>;
  assert.equal(details.job, 'nightly-report');
  assert.equal(details.run, 'run-0mj7');
  assert.equal(details.attempt, '2');
  assert.equal(details.exit_code, '3');
  assert.equal(details.agent, 'agent-7');
  assert.equal(details.waiting, 'publish, archive');
  assert.ok(details.stderr_tail!.endsWith(LAST_STDERR_LINE));
  assert.equal(details.stderr_tail!.split('\n').length, 20);
});

test('a late run is paged per run, as a warning naming the broken rule', async () => {
  const pd = await HttpReceiver.start();
  pd.answer = () => ACCEPTED;
  const { notifier, delivered } = recordingNotifier({ channels: { pagerdutyUrl: pd.url } });
  const run = { ...failureFacts().run!, status: 'running' as const, exitCode: null, finishedAt: null };
  const late = notice(pdTarget('trigger', 'moroccron/late/run-0mj7'), failureFacts({ kind: 'late', run, waiting: [], sla: { rule: 'maxDuration', limitMs: 3_600_000 } }));
  try {
    notifier.deliver([late]);
    await eventually('the page', () => delivered.includes(late.id));
  } finally {
    await notifier.close();
    await pd.stop();
  }
  const event = pd.requests[0]!.json as { dedup_key: string; payload: { summary: string; severity: string; custom_details: Record<string, string> } };
  assert.equal(event.dedup_key, 'moroccron/late/run-0mj7');
  assert.equal(event.payload.summary, 'LATE nightly-report (run run-0mj7, attempt 2): still running after 1h');
  assert.equal(event.payload.severity, 'warning');
  assert.equal(event.payload.custom_details.sla, 'maxDuration 1h');
  assert.equal(event.payload.custom_details.stderr_tail, undefined, 'only failures carry the stderr tail');
});

test('a 400 (a bad routing key) is given up after one attempt; a 429 is retried', async () => {
  const pd = await HttpReceiver.start();
  let throttled = 1;
  pd.answer = (_n, request) => {
    const event = request.json as { routing_key: string };
    if (event.routing_key === 'BAD') return { status: 400, body: '{"status":"invalid event","message":"Event object is invalid","errors":["Invalid routing key"]}' };
    if (throttled-- > 0) return { status: 429, body: '' };
    return ACCEPTED;
  };
  const { notifier, delivered, gaveUp } = recordingNotifier({ channels: { pagerdutyUrl: pd.url } });
  const bad = notice({ channel: 'pagerduty', routingKey: 'BAD', action: 'trigger', dedupKey: 'k1' });
  const good = notice(pdTarget('trigger'));
  try {
    notifier.deliver([bad]);
    await eventually('the give-up', () => gaveUp.length === 1);
    notifier.deliver([good]);
    await eventually('the throttled delivery', () => delivered.includes(good.id));
    await new Promise((resolve) => setTimeout(resolve, 300)); // well beyond the 20-100 ms backoff
  } finally {
    await notifier.close();
    await pd.stop();
  }
  assert.deepEqual(gaveUp.map((g) => g.id), [bad.id]);
  assert.match(gaveUp[0]!.reason, /^HTTP 400 from 127\.0\.0\.1:\d+: .*Invalid routing key/);
  const badAttempts = pd.requests.filter((r) => (r.json as { routing_key: string }).routing_key === 'BAD');
  assert.equal(badAttempts.length, 1, 'no retry of a 400');
  assert.equal(pd.requests.length, 3, 'the 400, the 429, the 202');
});
