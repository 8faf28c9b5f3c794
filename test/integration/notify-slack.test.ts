/**
 * Slack incoming-webhook notices against a loopback HTTP receiver: `text` and Block Kit blocks.
 *
 * Run: node --import tsx --test test/integration/notify-slack.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, failureFacts, HttpReceiver, LAST_STDERR_LINE, notice, recordingNotifier, UI_URL } from '../helpers/notice-receivers.js';

interface SlackMessage {
  text: string;
  blocks: { type: string; text?: { type: string; text: string }; fields?: { type: string; text: string }[]; elements?: { type: string; url: string; text: { text: string } }[] }[];
}

async function postToSlack(facts = failureFacts()): Promise<SlackMessage> {
  const slack = await HttpReceiver.start();
  const { notifier, delivered } = recordingNotifier();
  const message = notice({ channel: 'slack', url: `${slack.url}/services/T000/B000/SECRET` }, facts);
  try {
    notifier.deliver([message]);
    await eventually('the delivery', () => delivered.includes(message.id));
  } finally {
    await notifier.close();
    await slack.stop();
  }
  assert.equal(slack.requests.length, 1);
  assert.equal(slack.requests[0]!.path, '/services/T000/B000/SECRET');
  return slack.requests[0]!.json as SlackMessage;
}

test('a failure posts a header, the fields, the stderr tail in a code block, the waiting jobs and a link button', async () => {
  const message = await postToSlack();
  assert.equal(message.text, 'FAILED nightly-report (run run-0mj7, attempt 2): exit code 3');
  assert.deepEqual(message.blocks.map((b) => b.type), ['header', 'section', 'section', 'section', 'actions']);
  const [header, fields, stderr, waiting, actions] = message.blocks;

  assert.deepEqual(header!.text, { type: 'plain_text', text: 'FAILED nightly-report (run run-0mj7, attempt 2): exit code 3', emoji: false });
  const fieldTexts = fields!.fields!.map((f) => f.text);
  for (const expected of ['*Job*\nnightly-report', '*Run*\nrun-0mj7', '*Attempt*\n2', '*Exit code*\n3', '*Agent*\nagent-7']) {
    assert.ok(fieldTexts.includes(expected), `field ${JSON.stringify(expected)} in ${JSON.stringify(fieldTexts)}`);
  }
  assert.ok(fieldTexts.length <= 10, 'Slack takes at most 10 fields');
  assert.match(stderr!.text!.text, /^\*stderr \(last lines\)\*\n```[\s\S]*```$/);
  assert.ok(stderr!.text!.text.endsWith(`${LAST_STDERR_LINE}\`\`\``));
  assert.equal(waiting!.text!.text, '*Now waiting on it: publish, archive*');
  assert.equal(actions!.elements![0]!.url, `${UI_URL}/runs/run-0mj7`);
  assert.equal(actions!.elements![0]!.type, 'button');
});

test('a recovery has no stderr and no waiting jobs; markup in values is escaped', async () => {
  const run = { ...failureFacts().run!, status: 'succeeded' as const, exitCode: 0, agent: '<agent&1>' };
  const message = await postToSlack(failureFacts({ kind: 'recovery', run, waiting: [] }));
  assert.equal(message.text, 'RECOVERED nightly-report (run run-0mj7, attempt 2): succeeded again');
  assert.deepEqual(message.blocks.map((b) => b.type), ['header', 'section', 'actions']);
  assert.ok(message.blocks[1]!.fields!.some((f) => f.text === '*Agent*\n&lt;agent&amp;1&gt;'));
});

test('a late notice says which rule it broke', async () => {
  const run = { ...failureFacts().run!, status: 'queued' as const, startedAt: null, finishedAt: null, exitCode: null };
  const message = await postToSlack(failureFacts({ kind: 'late', run, waiting: [], sla: { rule: 'lateAfter', limitMs: 300_000 } }));
  assert.equal(message.text, 'LATE nightly-report (run run-0mj7, attempt 2): not started within 5m of its scheduled time');
});

test('a Slack URL that answers 404 (the webhook was removed) is given up; its secret path is not in the reason', async () => {
  const slack = await HttpReceiver.start();
  slack.answer = () => ({ status: 404, body: 'no_service' });
  const { notifier, gaveUp } = recordingNotifier();
  try {
    notifier.deliver([notice({ channel: 'slack', url: `${slack.url}/services/T000/B000/SECRET` })]);
    await eventually('the give-up', () => gaveUp.length === 1);
  } finally {
    await notifier.close();
    await slack.stop();
  }
  assert.match(gaveUp[0]!.reason, /^HTTP 404 from 127\.0\.0\.1:\d+: no_service$/);
  assert.equal(slack.requests.length, 1);
});
