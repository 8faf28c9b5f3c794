/**
 * Generic webhook notices against a loopback HTTP receiver: the JSON body, the headers, and the
 * HMAC-SHA256 signature verified the way a receiver would (node:crypto, not the sender's code).
 *
 * Run: node --import tsx --test test/integration/notify-webhook.test.ts
 */
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { test } from 'node:test';
import { eventually, HttpReceiver, LAST_STDERR_LINE, notice, recordingNotifier, UI_URL, type ReceivedRequest } from '../helpers/notice-receivers.js';

const SECRET = 'shh-its-a-secret';
const NOW = Date.parse('2026-03-01T02:03:05Z');

async function postToWebhook(secret: string | null): Promise<{ request: ReceivedRequest; id: string }> {
  const hook = await HttpReceiver.start();
  const { notifier, delivered } = recordingNotifier({ now: () => NOW });
  const message = notice({ channel: 'webhook', url: `${hook.url}/hooks/cron`, secret });
  try {
    notifier.deliver([message]);
    await eventually('the delivery', () => delivered.includes(message.id));
  } finally {
    await notifier.close();
    await hook.stop();
  }
  assert.equal(hook.requests.length, 1);
  return { request: hook.requests[0]!, id: message.id };
}

/** What a receiver does: HMAC of "<timestamp>.<raw body>", compared in constant time. */
function signatureIsValid(request: ReceivedRequest, secret: string): boolean {
  const header = String(request.headers['x-moroccron-signature'] ?? '');
  if (!header.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', secret).update(`${request.headers['x-moroccron-timestamp']}.${request.body}`).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

test('a webhook gets the facts as JSON with event, delivery, timestamp and a verifiable signature', async () => {
  const { request, id } = await postToWebhook(SECRET);
  assert.equal(request.method, 'POST');
  assert.equal(request.path, '/hooks/cron');
  assert.equal(request.headers['content-type'], 'application/json');
  assert.equal(request.headers['x-moroccron-event'], 'failure');
  assert.equal(request.headers['x-moroccron-delivery'], id);
  assert.equal(request.headers['x-moroccron-timestamp'], String(NOW / 1000));
  assert.ok(signatureIsValid(request, SECRET), 'the signature verifies with the secret');
  assert.ok(!signatureIsValid(request, 'another-secret'), 'and not with another');
  assert.ok(!signatureIsValid({ ...request, body: request.body.replace('nightly-report', 'nightly-reporT') }, SECRET), 'nor over a changed body');

  assert.deepEqual(request.json, {
    id,
    kind: 'failure',
    summary: 'FAILED nightly-report (run run-0mj7, attempt 2): exit code 3',
    job: 'nightly-report',
    owner: 'data-team',
    run: {
      id: 'run-0mj7',
      attempt: 2,
      status: 'failed',
      trigger: 'retry',
      exitCode: 3,
      reason: null,
      agent: 'agent-7',
      scheduledAt: '2026-03-01T02:00:00.000Z',
      startedAt: '2026-03-01T02:00:01.000Z',
      finishedAt: '2026-03-01T02:03:00.000Z',
    },
    waiting: ['publish', 'archive'],
    sla: null,
    at: '2026-03-01T02:03:00.000Z',
    link: `${UI_URL}/runs/run-0mj7`,
    stderrTail: Array.from({ length: 20 }, (_, i) => `stderr line ${i + 11}`),
  });
  assert.equal((request.json as { stderrTail: string[] }).stderrTail.at(-1), LAST_STDERR_LINE);
});

test('a webhook without a secret is not signed', async () => {
  const { request } = await postToWebhook(null);
  assert.equal(request.headers['x-moroccron-signature'], undefined);
  assert.equal(request.headers['x-moroccron-event'], 'failure');
});
