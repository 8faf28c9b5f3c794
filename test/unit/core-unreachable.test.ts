/**
 * A run whose agent is partitioned away waits up to the unreachable timeout; past it the
 * run is lost (and retried), and its task is killed should the agent return.
 *
 * Run: node --import tsx --test test/unit/core-unreachable.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeScheduler, at, spec } from '../helpers/fake-scheduler.js';

function runningJob() {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z', config: { unreachableTimeoutMs: 5 * 60_000 } });
  assert.equal(fake.putJobs(spec({ name: 'etl', retries: { max: 1, backoff: '10s', jitter: 0 } })).ok, true);
  const result = fake.command({ kind: 'run-job', name: 'etl' });
  assert.ok(result.ok);
  const run = result.value;
  fake.advanceTo('2026-01-01T10:00:01.000Z');
  fake.started(run.id);
  return { fake, run };
}

const unreachable = (fake: FakeScheduler, runId: string, since: string) =>
  fake.send({ type: 'run-unreachable', runId, agent: 'agent-1', since: at(since) });

test('unreachable past the timeout: lost with the reason, retried, and the task killed', () => {
  const { fake, run } = runningJob();
  unreachable(fake, run.id, '2026-01-01T10:01:00.000Z');
  fake.advanceTo('2026-01-01T10:05:59.000Z');
  assert.equal(fake.store.run(run.id).status, 'running', 'still waiting for the agent');
  fake.advanceTo('2026-01-01T10:06:00.000Z');
  const lost = fake.store.run(run.id);
  assert.equal(lost.status, 'lost');
  assert.equal(lost.reason, 'agent agent-1 unreachable since 2026-01-01T10:01:00.000Z, over 5m');
  assert.deepEqual(fake.kills.map((k) => k.run.id), [run.id], 'killed, for when its agent comes back');
  const retry = fake.store.runsOf('etl').find((r) => r.trigger === 'retry');
  assert.ok(retry, 'the retry policy applies');
  assert.equal(retry.attempt, 2);
});

test('the agent comes back in time: the run carries on and nothing is lost', () => {
  const { fake, run } = runningJob();
  unreachable(fake, run.id, '2026-01-01T10:01:00.000Z');
  fake.advanceTo('2026-01-01T10:03:00.000Z');
  fake.started(run.id);
  fake.advanceTo('2026-01-01T10:10:00.000Z');
  assert.equal(fake.store.run(run.id).status, 'running');
  assert.equal(fake.kills.length, 0);
  fake.exited(run.id, 0);
  assert.equal(fake.store.run(run.id).status, 'succeeded');
});

test('the clock starts when the master lost the agent, so a new leader hearing it again keeps the same deadline', () => {
  const { fake, run } = runningJob();
  fake.advanceTo('2026-01-01T10:04:00.000Z');
  // Reconciliation after a takeover: the master reports the original unreachable time.
  unreachable(fake, run.id, '2026-01-01T10:01:00.000Z');
  unreachable(fake, run.id, '2026-01-01T10:01:00.000Z');
  fake.advanceTo('2026-01-01T10:05:59.000Z');
  assert.equal(fake.store.run(run.id).status, 'running');
  fake.advanceTo('2026-01-01T10:06:00.000Z');
  assert.equal(fake.store.run(run.id).status, 'lost');
  assert.equal(fake.kills.length, 1, 'one kill, however often the master said so');
});

test('a run that ended meanwhile is left alone; a run being killed ends as killed', () => {
  const { fake, run } = runningJob();
  unreachable(fake, run.id, '2026-01-01T10:01:00.000Z');
  fake.exited(run.id, 1);
  fake.advanceTo('2026-01-01T10:07:00.000Z');
  assert.equal(fake.store.run(run.id).status, 'failed');
  assert.equal(fake.store.run(run.id).reason, 'exit code 1');

  const second = runningJob();
  assert.ok(second.fake.command({ kind: 'kill-run', runId: second.run.id }).ok);
  unreachable(second.fake, second.run.id, '2026-01-01T10:01:00.000Z');
  second.fake.advanceTo('2026-01-01T10:06:00.000Z');
  assert.equal(second.fake.store.run(second.run.id).status, 'killed', 'the kill asked for stands');
});
