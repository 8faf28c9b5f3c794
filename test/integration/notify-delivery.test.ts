/**
 * The notifier's delivery loop against real loopback receivers: retries with backoff until a
 * receiver answers again, give-ups on answers that cannot change, dedupe by notice id, the
 * concurrency cap, sendOnce, and close().
 *
 * Run: node --import tsx --test test/integration/notify-delivery.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryDelay } from '../../src/notify/backoff.js';
import { eventually, HttpReceiver, notice, recordingNotifier, sleep, type HttpAnswer } from '../helpers/notice-receivers.js';

const webhookTo = (receiver: HttpReceiver) => notice({ channel: 'webhook', url: `${receiver.url}/hook`, secret: null });

/** A reply the test releases when it wants. */
function heldAnswers(): { answer: () => Promise<HttpAnswer>; release: (answer?: HttpAnswer) => void; held: () => number } {
  const waiting: ((answer: HttpAnswer) => void)[] = [];
  return {
    answer: () => new Promise<HttpAnswer>((resolve) => waiting.push(resolve)),
    release: (answer = { status: 200 }) => waiting.splice(0).forEach((resolve) => resolve(answer)),
    held: () => waiting.length,
  };
}

test('the backoff doubles from firstMs to maxMs, up to a quarter shorter at random', () => {
  const settings = { firstMs: 1000, maxMs: 300_000 };
  assert.equal(retryDelay(1, settings, () => 0), 1000);
  assert.equal(retryDelay(2, settings, () => 0), 2000);
  assert.equal(retryDelay(4, settings, () => 0), 8000);
  assert.equal(retryDelay(1, settings, () => 0.999_999), 750);
  assert.equal(retryDelay(9, settings, () => 0), 256_000);
  assert.equal(retryDelay(10, settings, () => 0), 300_000);
  assert.equal(retryDelay(100_000, settings, () => 0), 300_000);
});

test('a receiver answering 503 for a while gets the notice once it recovers, and it is reported once', async () => {
  const hook = await HttpReceiver.start();
  hook.answer = (n) => (n <= 3 ? { status: 503, body: 'down for maintenance' } : { status: 200 });
  const { notifier, delivered, gaveUp, sent, failed, stderrReads } = recordingNotifier();
  const message = webhookTo(hook);
  try {
    notifier.deliver([message]);
    assert.deepEqual(stderrReads, [], 'deliver() returns before anything is read or sent');
    await eventually('the delivery', () => delivered.length === 1);
    assert.deepEqual(notifier.pending(), { email: 0, pagerduty: 0, slack: 0, webhook: 0 });
    await sleep(200);
  } finally {
    await notifier.close();
    await hook.stop();
  }
  assert.deepEqual(delivered, [message.id]);
  assert.deepEqual(gaveUp, []);
  assert.equal(hook.requests.length, 4);
  assert.deepEqual(failed, ['webhook', 'webhook', 'webhook']);
  assert.deepEqual(sent, ['webhook']);
  assert.ok(hook.requests.every((r) => r.headers['x-moroccron-delivery'] === message.id), 'the same delivery id on every retry');
});

test('a receiver that is down (connection refused) gets the notice once it is up', async () => {
  const hook = await HttpReceiver.down();
  const { notifier, delivered, failed } = recordingNotifier();
  const message = webhookTo(hook);
  try {
    notifier.deliver([message]);
    await eventually('refused attempts', () => failed.length >= 3);
    assert.equal(notifier.pending().webhook, 1);
    await hook.start();
    await eventually('the delivery', () => delivered.length === 1);
  } finally {
    await notifier.close();
    await hook.stop();
  }
  assert.equal(hook.requests.length, 1);
});

test('a 400 is given up after one attempt, with the answer in the reason', async () => {
  const hook = await HttpReceiver.start();
  hook.answer = () => ({ status: 400, body: 'unknown event' });
  const { notifier, delivered, gaveUp } = recordingNotifier();
  const message = webhookTo(hook);
  try {
    notifier.deliver([message]);
    await eventually('the give-up', () => gaveUp.length === 1);
    await sleep(300); // several backoff periods: nothing more is sent
  } finally {
    await notifier.close();
    await hook.stop();
  }
  assert.deepEqual(gaveUp, [{ id: message.id, reason: `HTTP 400 from ${new URL(hook.url).host}: unknown event` }]);
  assert.deepEqual(delivered, []);
  assert.equal(hook.requests.length, 1);
});

test('408 and 429 are retried like 5xx', async () => {
  const hook = await HttpReceiver.start();
  hook.answer = (n) => ({ status: n === 1 ? 408 : n === 2 ? 429 : 204 });
  const { notifier, delivered, gaveUp } = recordingNotifier();
  try {
    notifier.deliver([webhookTo(hook)]);
    await eventually('the delivery', () => delivered.length === 1);
  } finally {
    await notifier.close();
    await hook.stop();
  }
  assert.deepEqual(gaveUp, []);
  assert.equal(hook.requests.length, 3);
});

test('a notice handed over twice is sent once: while in flight, while waiting to retry, and after it landed', async () => {
  const hook = await HttpReceiver.start();
  const held = heldAnswers();
  hook.answer = held.answer;
  const { notifier, delivered, failed } = recordingNotifier();
  const message = webhookTo(hook);
  try {
    notifier.deliver([message]);
    notifier.deliver([message, message]);
    await eventually('the request in flight', () => held.held() === 1);
    notifier.deliver([message]);
    assert.equal(notifier.pending().webhook, 1);
    held.release({ status: 503 });
    await eventually('the failed attempt', () => failed.length === 1);
    notifier.deliver([message]); // waiting for its retry
    await eventually('the retry in flight', () => held.held() === 1);
    held.release({ status: 200 });
    await eventually('the delivery', () => delivered.length === 1);

    // Handed over again before the leader removed it from the outbox: reported again, not resent.
    notifier.deliver([message]);
    await eventually('the repeated report', () => delivered.length === 2);
    await sleep(100);
  } finally {
    await notifier.close();
    await hook.stop();
  }
  assert.equal(hook.requests.length, 2, 'one attempt and its retry');
  assert.deepEqual(delivered, [message.id, message.id]);
});

test('at most `concurrency` sends are in flight; the rest wait their turn', async () => {
  const hook = await HttpReceiver.start();
  const held = heldAnswers();
  hook.answer = held.answer;
  const { notifier, delivered } = recordingNotifier({ concurrency: 2 });
  const messages = Array.from({ length: 5 }, () => webhookTo(hook));
  try {
    notifier.deliver(messages);
    await eventually('two in flight', () => held.held() === 2);
    await sleep(50);
    assert.equal(hook.requests.length, 2);
    assert.equal(notifier.pending().webhook, 5);
    while (delivered.length < 5) {
      held.release();
      await sleep(10);
    }
  } finally {
    await notifier.close();
    await hook.stop();
  }
  assert.deepEqual([...delivered].sort(), messages.map((m) => m.id).sort());
  assert.equal(hook.requests.length, 5);
});

test('close() stops retries and aborts sends in flight; no callback runs after it', async () => {
  const hook = await HttpReceiver.start();
  hook.answer = () => ({ status: 503 });
  const { notifier, delivered, gaveUp, failed } = recordingNotifier();
  const retried = webhookTo(hook);
  notifier.deliver([retried]);
  await eventually('some failed attempts', () => failed.length >= 2);

  const held = heldAnswers();
  hook.answer = held.answer;
  const hanging = webhookTo(hook);
  notifier.deliver([hanging]);
  await eventually('the hanging request', () => held.held() >= 1);

  const closedAt = Date.now();
  await notifier.close();
  assert.ok(Date.now() - closedAt < 1000, 'close() does not wait for the 2 s request timeout');
  const requestsAtClose = hook.requests.length;
  held.release();
  await sleep(300);
  notifier.deliver([webhookTo(hook)]);
  await sleep(100);
  await hook.stop();

  assert.equal(hook.requests.length, requestsAtClose, 'nothing is sent after close()');
  assert.deepEqual(delivered, []);
  assert.deepEqual(gaveUp, []);
  assert.deepEqual(notifier.pending(), { email: 0, pagerduty: 0, slack: 0, webhook: 0 });
});

test('sendOnce answers whether the channel took the notice, without retries or outbox callbacks', async () => {
  const hook = await HttpReceiver.start();
  const answers: HttpAnswer[] = [{ status: 200 }, { status: 503, body: 'busy' }, { status: 403, body: 'forbidden' }];
  hook.answer = (n) => answers[n - 1]!;
  const { notifier, delivered, gaveUp } = recordingNotifier();
  const testNotice = (id: string) => notice({ channel: 'webhook', url: hook.url, secret: null }, { kind: 'test', job: '(test)', owner: 'data-team', run: null, waiting: [], sla: null, at: 0 }, id);
  try {
    const host = new URL(hook.url).host;
    assert.deepEqual(await notifier.sendOnce(testNotice('t1')), { ok: true, noticeId: 't1', channel: 'webhook' });
    assert.deepEqual(await notifier.sendOnce(testNotice('t2')), { ok: false, retryable: true, reason: `HTTP 503 from ${host}: busy`, noticeId: 't2', channel: 'webhook' });
    assert.deepEqual(await notifier.sendOnce(testNotice('t3')), { ok: false, retryable: false, reason: `HTTP 403 from ${host}: forbidden`, noticeId: 't3', channel: 'webhook' });
    const unconfigured = await notifier.sendOnce(notice({ channel: 'email', to: ['a@example.com'] }));
    assert.equal(unconfigured.ok, false);
    await sleep(100);
  } finally {
    await notifier.close();
    await hook.stop();
  }
  assert.equal(hook.requests.length, 3);
  assert.equal((hook.requests[0]!.json as { summary: string }).summary, 'TEST notice for data-team: this channel reaches you');
  assert.deepEqual(delivered, []);
  assert.deepEqual(gaveUp, []);
});

test('a stderr read that hangs does not hold the notice: it goes out with "(stderr not available)"', async () => {
  const hook = await HttpReceiver.start();
  const { notifier, delivered } = recordingNotifier({ timeoutMs: 100, readStderrTail: () => new Promise<string[]>(() => {}) });
  try {
    notifier.deliver([webhookTo(hook)]);
    await eventually('the delivery', () => delivered.length === 1);
  } finally {
    await notifier.close();
    await hook.stop();
  }
  assert.equal((hook.requests[0]!.json as { stderrTail: unknown }).stderrTail, null);
});
