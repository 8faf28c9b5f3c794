/**
 * Retries (backoff, jitter, which endings are retried) and timeouts.
 *
 * Run: node --import tsx --test test/unit/core-retries.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobSpecInput } from '../../src/core/job-spec.js';
import { retryDelay } from '../../src/core/retry.js';
import type { Run } from '../../src/core/types.js';
import { FakeScheduler, at, claimsIn, iso, spec } from '../helpers/fake-scheduler.js';

/** A manual job; returns the fake and a function starting a manual run now. */
function manualJob(job: Partial<JobSpecInput>, start = '2026-01-01T10:00:00.000Z') {
  const fake = new FakeScheduler({ start });
  assert.equal(fake.putJobs(spec({ name: 'flaky', ...job })).ok, true);
  const runNow = (): Run => {
    const result = fake.command({ kind: 'run-job', name: 'flaky' });
    assert.ok(result.ok, JSON.stringify(result));
    return result.value;
  };
  return { fake, runNow };
}

const retriesOf = (fake: FakeScheduler): Run[] => fake.store.runsOf('flaky').filter((r) => r.trigger === 'retry');

test('retries: attempts 2 and 3 come 10 s then 20 s after each failure, none after max', () => {
  const { fake, runNow } = manualJob({ retries: { max: 2, backoff: '10s', factor: 2, jitter: 0 } });
  const first = runNow();
  fake.advanceTo('2026-01-01T10:00:01.000Z');
  fake.started(first.id);
  fake.advanceTo('2026-01-01T10:00:05.000Z');
  const failed = fake.exited(first.id, 1);
  assert.equal(fake.store.run(first.id).status, 'failed');
  assert.equal(fake.store.run(first.id).reason, 'exit code 1');

  const [second] = claimsIn(failed);
  assert.ok(second, 'a retry is claimed with the failure');
  assert.equal(second.trigger, 'retry');
  assert.equal(second.attempt, 2);
  assert.equal(second.rootId, first.id);
  assert.equal(second.key, `r:${first.id}:2`);
  assert.equal(iso(second.scheduledAt), '2026-01-01T10:00:15.000Z');
  assert.equal(fake.store.run(second.id).status, 'queued');
  assert.equal(fake.launches.length, 1, 'not launched before it is due');
  assert.equal(fake.armedAt, at('2026-01-01T10:00:15.000Z'));

  fake.advanceTo('2026-01-01T10:00:15.000Z');
  assert.deepEqual(
    fake.launches.map((r) => r.id),
    [first.id, second.id],
  );
  fake.started(second.id);
  fake.advanceTo('2026-01-01T10:00:20.000Z');
  fake.exited(second.id, 2);

  const third = retriesOf(fake).find((r) => r.attempt === 3);
  assert.ok(third);
  assert.equal(third.key, `r:${first.id}:3`);
  assert.equal(third.rootId, first.id);
  assert.equal(iso(third.scheduledAt), '2026-01-01T10:00:40.000Z');

  fake.advanceTo('2026-01-01T10:00:40.000Z');
  assert.equal(fake.launches.at(-1)?.id, third.id);
  fake.started(third.id);
  fake.advanceTo('2026-01-01T10:00:45.000Z');
  const last = fake.exited(third.id, 1);
  assert.deepEqual(claimsIn(last), [], 'no retry after max');

  fake.advanceTo('2026-01-01T11:00:00.000Z');
  assert.deepEqual(
    fake.store.runsOf('flaky').map((r) => `${r.attempt} ${r.trigger} ${r.status}`),
    ['1 manual failed', '2 retry failed', '3 retry failed'],
  );
  assert.equal(fake.launches.length, 3);
});

test('retries: jitter keeps the delay within bounds and is the same for the same run', () => {
  const policy = { max: 1, backoff: '10s', factor: 2, jitter: 0.5 };
  const delays: number[] = [];
  const { fake, runNow } = manualJob({ retries: policy, concurrency: 'allow' });
  for (let i = 0; i < 40; i++) {
    fake.advance(1_000);
    const run = runNow();
    fake.started(run.id);
    fake.exited(run.id, 1);
    const retry = retriesOf(fake).find((r) => r.rootId === run.id);
    assert.ok(retry);
    const delay = retry.scheduledAt - fake.now;
    assert.ok(delay >= 5_000 && delay <= 15_000, `delay ${delay} ms within 10 s ± 50 %`);
    assert.equal(delay, retryDelay({ backoffMs: 10_000, factor: 2, maxBackoffMs: 3600_000, jitter: 0.5 }, 1, run.id));
    delays.push(delay);
  }
  assert.ok(new Set(delays).size > 10, 'the jitter varies from run to run');

  // The same run (same ID, same failure) gets the same delay in another scheduler.
  const again = manualJob({ retries: policy, concurrency: 'allow' });
  const firstAgain = (() => {
    again.fake.advance(1_000);
    const run = again.runNow();
    again.fake.started(run.id);
    again.fake.exited(run.id, 1);
    return retriesOf(again.fake)[0]!;
  })();
  const firstRetry = retriesOf(fake).find((r) => r.rootId === firstAgain.rootId);
  assert.ok(firstRetry, 'the two schedulers gave the run the same ID');
  assert.equal(firstAgain.scheduledAt, firstRetry.scheduledAt);
});

test('retries: a killed run is not retried', () => {
  const { fake, runNow } = manualJob({ retries: { max: 3, backoff: '10s', jitter: 0 } });
  const run = runNow();
  fake.started(run.id);
  fake.advanceTo('2026-01-01T10:00:05.000Z');
  const killed = fake.command({ kind: 'kill-run', runId: run.id });
  assert.equal(killed.ok, true);
  assert.equal(fake.kills.length, 1);
  assert.equal(fake.kills[0]!.reason, 'killed on request');
  assert.equal(fake.kills[0]!.gracePeriodMs, 10_000, 'the default grace period');

  fake.advanceTo('2026-01-01T10:00:06.000Z');
  const exit = fake.exited(run.id, null, 'SIGTERM');
  assert.equal(fake.store.run(run.id).status, 'killed');
  assert.equal(fake.store.run(run.id).reason, 'killed on request');
  assert.deepEqual(claimsIn(exit), []);
  fake.advanceTo('2026-01-01T10:10:00.000Z');
  assert.deepEqual(retriesOf(fake), []);
});

test('retries: a lost run is retried', () => {
  const { fake, runNow } = manualJob({ retries: { max: 3, backoff: '10s', jitter: 0 } });
  const run = runNow();
  fake.started(run.id);
  fake.advanceTo('2026-01-01T10:00:05.000Z');
  fake.send({ type: 'run-lost', runId: run.id, reason: 'agent gone' });
  const lost = fake.store.run(run.id);
  assert.equal(lost.status, 'lost');
  assert.equal(lost.reason, 'agent gone');
  const [retry] = retriesOf(fake);
  assert.ok(retry);
  assert.equal(retry.attempt, 2);
  assert.equal(iso(retry.scheduledAt), '2026-01-01T10:00:15.000Z');
  fake.advanceTo('2026-01-01T10:00:15.000Z');
  assert.equal(fake.launches.at(-1)?.id, retry.id);
});

test('timeouts: a run past its timeout is killed with the grace period, recorded as failed "timed out", and retried', () => {
  const { fake, runNow } = manualJob({ timeout: '30s', killGracePeriod: '5s', retries: { max: 1, backoff: '10s', jitter: 0 } });
  const run = runNow();
  fake.advanceTo('2026-01-01T10:00:01.000Z');
  fake.started(run.id);
  assert.equal(fake.store.run(run.id).deadline, at('2026-01-01T10:00:31.000Z'));
  assert.equal(fake.armedAt, at('2026-01-01T10:00:31.000Z'));

  fake.advanceTo('2026-01-01T10:00:30.999Z');
  assert.equal(fake.kills.length, 0, 'not before the deadline');
  fake.advanceTo('2026-01-01T10:00:31.000Z');
  assert.equal(fake.kills.length, 1);
  const kill = fake.kills[0]!;
  assert.equal(kill.run.id, run.id);
  assert.equal(kill.gracePeriodMs, 5_000);
  assert.match(kill.reason, /^timed out/);

  fake.advanceTo('2026-01-01T10:00:33.000Z');
  fake.exited(run.id, null, 'SIGTERM');
  const failed = fake.store.run(run.id);
  assert.equal(failed.status, 'failed');
  assert.match(failed.reason ?? '', /^timed out/);

  const [retry] = retriesOf(fake);
  assert.ok(retry, 'the retry policy applies');
  assert.equal(retry.attempt, 2);
  assert.equal(iso(retry.scheduledAt), '2026-01-01T10:00:43.000Z');

  // The retry finishes in time: no kill.
  fake.advanceTo('2026-01-01T10:00:43.000Z');
  fake.started(retry.id);
  fake.advanceTo('2026-01-01T10:00:50.000Z');
  fake.exited(retry.id, 0);
  fake.advanceTo('2026-01-01T10:02:00.000Z');
  assert.equal(fake.kills.length, 1);
  assert.equal(fake.store.run(retry.id).status, 'succeeded');
});
