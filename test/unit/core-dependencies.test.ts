/**
 * Dependencies (`after`, fan-in) and triggers, decided in update(): who waits for whom, when a
 * child runs, and that it runs once per set of parent successes, also across a restart.
 *
 * Run: node --import tsx --test test/unit/core-dependencies.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Run } from '../../src/core/types.js';
import { FakeScheduler, at, spec } from '../helpers/fake-scheduler.js';

/** Jobs named `fail-*` exit 3 after 1 s; the rest succeed after 1 s. */
const byName = (run: Run) => ({ durationMs: 1_000, exitCode: run.job.startsWith('fail') ? 3 : 0 });

const runOf = (fake: FakeScheduler, job: string): Run[] => fake.store.runsOf(job);

function manual(fake: FakeScheduler, job: string): Run {
  const result = fake.command({ kind: 'run-job', name: job });
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}

test('fan-in: a child without a schedule runs once every parent has succeeded since its last run', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z', autoRun: byName });
  assert.ok(fake.putJobs(spec({ name: 'extract' }), spec({ name: 'enrich' }), spec({ name: 'load', after: ['extract', 'enrich'] })).ok);
  const e1 = manual(fake, 'extract');
  fake.advance(5_000);
  assert.equal(runOf(fake, 'load').length, 0, 'one parent is not enough');
  const n1 = manual(fake, 'enrich');
  fake.advance(5_000);
  const [first] = runOf(fake, 'load');
  assert.ok(first);
  assert.equal(first.trigger, 'dependency');
  assert.deepEqual(first.causes, [e1.id, n1.id]);
  assert.equal(first.key, `d:${e1.id}+${n1.id}`);
  assert.equal(first.status, 'succeeded');

  // A parent running again alone does not release it; both again do.
  manual(fake, 'extract');
  fake.advance(5_000);
  assert.equal(runOf(fake, 'load').length, 1);
  manual(fake, 'enrich');
  fake.advance(5_000);
  assert.equal(runOf(fake, 'load').length, 2);
});

test('a new child counts only parent successes after it was created', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z', autoRun: byName });
  fake.putJobs(spec({ name: 'extract' }));
  manual(fake, 'extract');
  fake.advance(5_000);
  fake.putJobs(spec({ name: 'load', after: ['extract'] }));
  fake.advance(5_000);
  assert.equal(runOf(fake, 'load').length, 0);
  manual(fake, 'extract');
  fake.advance(5_000);
  assert.equal(runOf(fake, 'load').length, 1);
});

test('exactly once: a new scheduler deciding the same release again is refused by the key', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z', autoRun: byName });
  fake.putJobs(spec({ name: 'extract' }), spec({ name: 'load', after: ['extract'] }));
  manual(fake, 'extract');
  fake.advance(5_000);
  assert.equal(runOf(fake, 'load').length, 1);
  // As if the release were not recorded as consumed: the next boot decides it again.
  fake.store.jobs.get('load')!.progress.consumed = {};
  const launchesBefore = fake.launches.length;
  fake.restart('2026-01-01T10:00:20.000Z');
  fake.advance(5_000);
  assert.equal(runOf(fake, 'load').length, 1, 'the store refused the second claim of the same key');
  assert.equal(fake.launches.length, launchesBefore);
});

test('a failed parent (after its retries) leaves its descendants waiting until a rerun succeeds; then child, then grandchild', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z', autoRun: byName });
  fake.putJobs(spec({ name: 'fail-extract', retries: { max: 1, backoff: '1s', jitter: 0 } }), spec({ name: 'load', after: ['fail-extract'] }), spec({ name: 'report', after: ['load'] }));
  manual(fake, 'fail-extract');
  fake.advance(10_000);
  const attempts = runOf(fake, 'fail-extract');
  assert.deepEqual(attempts.map((r) => r.status), ['failed', 'failed'], 'the first attempt and its retry');
  assert.equal(fake.store.jobs.get('fail-extract')!.progress.lastOutcome?.status, 'failed');
  assert.equal(runOf(fake, 'load').length, 0);

  // Fixed (here: a success reported for a manual rerun), the chain runs in order, once each.
  fake.autoRun = () => ({ durationMs: 1_000, exitCode: 0 });
  manual(fake, 'fail-extract');
  fake.advance(10_000);
  const [load] = runOf(fake, 'load');
  const [report] = runOf(fake, 'report');
  assert.ok(load && report);
  assert.ok(load.startedAt! < report.startedAt!, 'the child before the grandchild');
  assert.deepEqual(report.causes, [load.id]);
});

test('time-gated: an occurrence waits for its parent, runs when it succeeds, or is skipped when its window closes', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T09:59:30.000Z', autoRun: byName });
  fake.putJobs(spec({ name: 'extract' }), spec({ name: 'report', schedule: '0 * * * *', after: ['extract'], misfire: { window: '10m' } }));
  fake.advanceTo('2026-01-01T10:00:00.000Z');
  const [waiting] = runOf(fake, 'report');
  assert.equal(waiting?.status, 'waiting');
  assert.match(waiting!.reason ?? '', /waiting for extract to succeed/);
  assert.equal(fake.launches.filter((r) => r.job === 'report').length, 0);

  fake.advanceTo('2026-01-01T10:03:00.000Z');
  const e1 = manual(fake, 'extract');
  fake.advanceTo('2026-01-01T10:04:00.000Z');
  const released = fake.store.run(waiting!.id);
  assert.equal(released.status, 'succeeded');
  assert.deepEqual(released.causes, [e1.id]);
  assert.equal(released.scheduledAt, at('2026-01-01T10:00:00.000Z'));

  // 11:00 finds no new success of extract; at 11:10 the window closes.
  fake.advanceTo('2026-01-01T11:10:00.000Z');
  const skipped = runOf(fake, 'report').find((r) => r.scheduledAt === at('2026-01-01T11:00:00.000Z'));
  assert.equal(skipped?.status, 'skipped');
  assert.match(skipped!.reason ?? '', /waited for extract to succeed until its misfire window \(10m\) closed/);
});

test('triggers start other jobs once per causing run; a webhook trigger is a notice in the outbox', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z', autoRun: byName });
  fake.putJobs(
    spec({ name: 'publish' }),
    spec({ name: 'cleanup' }),
    spec({ name: 'build', triggers: { onSuccess: ['publish', { url: 'https://ci.example/hook', secret: 's3cret' }] } }),
    spec({ name: 'fail-build', triggers: { onFailure: ['cleanup'] } }),
  );
  const built = manual(fake, 'build');
  const broken = manual(fake, 'fail-build');
  fake.advance(10_000);
  const [publish] = runOf(fake, 'publish');
  assert.equal(publish?.trigger, 'trigger');
  assert.equal(publish?.key, `t:${built.id}`);
  assert.deepEqual(publish?.causes, [built.id]);
  assert.deepEqual(runOf(fake, 'cleanup').map((r) => r.causes), [[broken.id]]);
  const hooks = [...fake.store.notices.values()].filter((n) => n.target.channel === 'webhook');
  assert.equal(hooks.length, 1);
  assert.deepEqual(hooks[0]!.target, { channel: 'webhook', url: 'https://ci.example/hook', secret: 's3cret' });
  assert.equal(hooks[0]!.facts.run?.id, built.id);
});

test('cycles are refused naming them, through after and through triggers', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  fake.putJobs(spec({ name: 'a' }), spec({ name: 'b', after: ['a'] }));
  const viaAfter = fake.putJobs(spec({ name: 'a', after: ['b'] }));
  assert.ok(!viaAfter.ok);
  assert.equal(viaAfter.details?.[0]?.field, 'after');
  assert.match(viaAfter.message, /dependency cycle: a waits for b waits for a/);
  const viaTriggers = fake.putJobs(spec({ name: 'x', triggers: { onSuccess: ['y'] } }), spec({ name: 'y', triggers: { onFailure: ['x'] } }));
  assert.ok(!viaTriggers.ok);
  assert.match(viaTriggers.message, /trigger cycle: x starts y starts x/);
});
