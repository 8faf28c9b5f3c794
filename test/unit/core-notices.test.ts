/**
 * Who is told of what, decided in update() and put in the outbox with the run change that
 * caused it: routing by owners and their preferences, PagerDuty incidents, SLA alerts.
 *
 * Run: node --import tsx --test test/unit/core-notices.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateOwnerSpec } from '../../src/core/owner-spec.js';
import type { Notice, OwnerSpec, Run } from '../../src/core/types.js';
import { FakeScheduler, spec } from '../helpers/fake-scheduler.js';

function owner(input: Record<string, unknown>): OwnerSpec {
  const result = validateOwnerSpec(input);
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}

const failing = (run: Run) => ({ durationMs: 1_000, exitCode: run.job.startsWith('fail') ? 3 : 0 });

function withOwners(...owners: OwnerSpec[]) {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z', autoRun: failing, config: { emailConfigured: true } });
  const put = fake.command({ kind: 'put-owners', specs: owners });
  assert.ok(put.ok, JSON.stringify(put));
  return fake;
}

const notices = (fake: FakeScheduler): Notice[] => [...fake.store.notices.values()];
const summary = (n: Notice) => `${n.facts.owner}:${n.facts.kind}:${n.target.channel}${n.target.channel === 'pagerduty' ? `:${n.target.action}` : ''}`;

function manual(fake: FakeScheduler, job: string): Run {
  const result = fake.command({ kind: 'run-job', name: job });
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}

test('a failure reaches every channel of the job\'s owners with the waiting subtree; a recovery resolves the incident', () => {
  const fake = withOwners(owner({ name: 'data', email: 'oncall@example.com', pagerdutyRoutingKey: 'R1', slackWebhook: 'https://hooks.slack.test/x', webhook: { url: 'https://ops.test/hook', secret: 'k' } }));
  fake.putJobs(spec({ name: 'fail-extract', owners: ['data'] }), spec({ name: 'load', after: ['fail-extract'] }), spec({ name: 'report', after: ['load'] }));
  const run = manual(fake, 'fail-extract');
  fake.advance(5_000);
  const sent = notices(fake);
  assert.deepEqual(sent.map(summary).sort(), ['data:failure:email', 'data:failure:pagerduty:trigger', 'data:failure:slack', 'data:failure:webhook'].sort());
  const facts = sent[0]!.facts;
  assert.equal(facts.run?.id, run.id);
  assert.equal(facts.run?.exitCode, 3);
  assert.deepEqual(facts.waiting, ['load', 'report']);
  const pd = sent.find((n) => n.target.channel === 'pagerduty')!;
  assert.deepEqual(pd.target, { channel: 'pagerduty', routingKey: 'R1', action: 'trigger', dedupKey: 'moroccron:fail-extract' });

  // The notifier delivered them: they leave the outbox.
  for (const n of sent) fake.send({ type: 'notice-done', noticeId: n.id });
  assert.equal(fake.store.notices.size, 0);

  fake.autoRun = () => ({ durationMs: 1_000, exitCode: 0 });
  manual(fake, 'fail-extract');
  fake.advance(5_000);
  const recovered = notices(fake);
  assert.ok(recovered.some((n) => n.target.channel === 'pagerduty' && n.target.action === 'resolve' && n.target.dedupKey === 'moroccron:fail-extract'));
  assert.ok(recovered.every((n) => n.facts.kind === 'recovery'));
});

test('muted, muted-until, opted-out and narrowed-out owners hear nothing; notifyOn picks the kinds', () => {
  const fake = withOwners(
    owner({ name: 'muted', slackWebhook: 'https://hooks.slack.test/1', mute: true }),
    owner({ name: 'later', slackWebhook: 'https://hooks.slack.test/2', mute: '2026-01-01T11:00:00Z' }),
    owner({ name: 'away', slackWebhook: 'https://hooks.slack.test/3', optOut: ['fail-job'] }),
    owner({ name: 'quiet', slackWebhook: 'https://hooks.slack.test/4', notifyOn: ['success'] }),
    owner({ name: 'named', slackWebhook: 'https://hooks.slack.test/5' }),
    owner({ name: 'unnamed', slackWebhook: 'https://hooks.slack.test/6' }),
  );
  const all = ['muted', 'later', 'away', 'quiet', 'named', 'unnamed'];
  fake.putJobs(spec({ name: 'fail-job', owners: all, notify: { onFailure: ['muted', 'later', 'away', 'quiet', 'named'] } }));
  manual(fake, 'fail-job');
  fake.advance(5_000);
  assert.deepEqual(notices(fake).map(summary), ['named:failure:slack']);
});

test('a failure that is retried is a failure notice; the last one is retriesExhausted for owners who listen to that', () => {
  const fake = withOwners(
    owner({ name: 'both', slackWebhook: 'https://hooks.slack.test/1' }),
    owner({ name: 'final', slackWebhook: 'https://hooks.slack.test/2', notifyOn: ['retriesExhausted'] }),
  );
  fake.putJobs(spec({ name: 'fail-job', owners: ['both', 'final'], retries: { max: 1, backoff: '1s', jitter: 0 } }));
  manual(fake, 'fail-job');
  fake.advance(10_000);
  const kinds = notices(fake).map((n) => `${n.facts.owner}:${n.facts.kind}:${n.facts.run?.attempt}`);
  assert.deepEqual(kinds, ['both:failure:1', 'both:retriesExhausted:2', 'final:retriesExhausted:2']);
});

test('owners: unknown ones are refused on jobs, e-mail needs an SMTP server, an owner with jobs cannot go', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  const noSmtp = fake.command({ kind: 'put-owners', specs: [owner({ name: 'data', email: 'a@example.com' })] });
  assert.ok(!noSmtp.ok);
  assert.equal(noSmtp.details?.[0]?.field, 'email');
  assert.ok(fake.command({ kind: 'put-owners', specs: [owner({ name: 'data', slackWebhook: 'https://hooks.slack.test/1' })] }).ok);
  const unknown = fake.putJobs(spec({ name: 'etl', owners: ['data', 'ghost'], notify: { onLate: ['nobody'] } }));
  assert.ok(!unknown.ok);
  assert.deepEqual(unknown.details?.map((d) => d.field), ['owners[1]', 'notify.onLate[0]']);
  assert.ok(fake.putJobs(spec({ name: 'etl', owners: ['data'] })).ok);
  const busy = fake.command({ kind: 'delete-owner', name: 'data' });
  assert.ok(!busy.ok);
  assert.match(busy.message, /owns etl/);
});

test('SLA: lateAfter for a run held back by capacity, maxDuration for a long one; once each, resolved when they end, not again after a restart', () => {
  const fake = new FakeScheduler({
    start: '2026-01-01T10:00:00.000Z',
    agent: { cpus: 1 },
    autoRun: (run) => ({ durationMs: run.job === 'long' ? 20 * 60_000 : 60_000, exitCode: 0 }),
  });
  fake.command({ kind: 'put-owners', specs: [owner({ name: 'sre', pagerdutyRoutingKey: 'R9', slackWebhook: 'https://hooks.slack.test/1' })] });
  fake.putJobs(
    spec({ name: 'long', owners: ['sre'], resources: { cpus: 1 }, sla: { maxDuration: '10m' } }),
    spec({ name: 'held', owners: ['sre'], resources: { cpus: 1 }, sla: { lateAfter: '5m' } }),
  );
  const long = manual(fake, 'long');
  const held = manual(fake, 'held');
  fake.advanceTo('2026-01-01T10:05:00.000Z');
  const late = notices(fake).filter((n) => n.facts.run?.id === held.id);
  assert.deepEqual(late.map(summary).sort(), ['sre:late:pagerduty:trigger', 'sre:late:slack']);
  assert.deepEqual(late[0]!.facts.sla, { rule: 'lateAfter', limitMs: 5 * 60_000 });
  assert.equal(fake.store.run(held.id).late, true);

  fake.restart('2026-01-01T10:06:00.000Z');
  fake.started(long.id);
  fake.advanceTo('2026-01-01T10:11:00.000Z');
  const overran = notices(fake).filter((n) => n.facts.run?.id === long.id && n.facts.kind === 'late');
  assert.equal(overran.length, 2, 'maxDuration: one late notice per channel');
  assert.equal(notices(fake).filter((n) => n.facts.run?.id === held.id && n.facts.kind === 'late').length, 2, 'not sent again after the restart');

  fake.exited(long.id, 0);
  const resolved = notices(fake).filter((n) => n.target.channel === 'pagerduty' && n.target.action === 'resolve');
  assert.deepEqual(resolved.map((n) => n.target.channel === 'pagerduty' && n.target.dedupKey), [`moroccron:long:late:${long.id}`]);
});
