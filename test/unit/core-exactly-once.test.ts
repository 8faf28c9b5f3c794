/**
 * Exactly once: a run launches only after its claim is confirmed, never twice, and a
 * restart re-attaches what was launching or running instead of launching it again.
 *
 * Run: node --import tsx --test test/unit/core-exactly-once.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Run } from '../../src/core/types.js';
import { FakeScheduler, FakeStore, at, claimsIn, ofType, spec, storedJob } from '../helpers/fake-scheduler.js';

const manual = (fake: FakeScheduler, name: string): Run => {
  const result = fake.command({ kind: 'run-job', name });
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
};

const launchCount = (fake: FakeScheduler, id: string): number => fake.launches.filter((r) => r.id === id).length;

test('a claim the store refuses (key already taken) never launches', () => {
  const store = new FakeStore();
  const job = spec({ name: 'minutely', schedule: '* * * * *' });
  store.jobs.set('minutely', storedJob(job, at('2026-01-01T10:00:30.000Z')));
  // Another scheduler (an earlier leader) already claimed the 10:01 occurrence.
  const theirs: Run = {
    id: 'other-leader-1',
    job: 'minutely',
    key: 's:2026-01-01T10:01:00.000Z',
    trigger: 'schedule',
    scheduledAt: at('2026-01-01T10:01:00.000Z'),
    claimedAt: at('2026-01-01T10:01:00.000Z'),
    startedAt: at('2026-01-01T10:01:00.100Z'),
    finishedAt: at('2026-01-01T10:01:02.000Z'),
    attempt: 1,
    status: 'succeeded',
    exitCode: 0,
    reason: null,
    agent: 'agent-1',
    taskId: null,
    rootId: 'other-leader-1',
    deadline: null,
    killReason: null,
    labels: {},
    causes: [],
    late: false,
    usage: null,
  };
  store.insertRun(theirs);

  const fake = new FakeScheduler({ start: '2026-01-01T10:00:30.000Z', store });
  const tick = fake.tick('2026-01-01T10:01:00.000Z');
  const [claim] = claimsIn(tick);
  assert.equal(claim?.key, 's:2026-01-01T10:01:00.000Z');
  const answer = fake.handled.at(-1)!;
  assert.deepEqual(answer.message, { type: 'claimed', now: at('2026-01-01T10:01:00.000Z'), accepted: [], refused: [claim.id] });
  assert.equal(ofType(answer.effects, 'launch').length, 0);
  assert.ok(ofType(answer.effects, 'log').some((l) => l.level === 'warn' && /refused/.test(l.message)));
  assert.equal(fake.launches.length, 0);
  assert.equal(fake.state.runs.has(claim.id), false, 'the refused run is forgotten');
  assert.equal(fake.state.jobs.get('minutely')!.active.size, 0, 'and does not block the job');
  assert.deepEqual(
    fake.store.runsOf('minutely').map((r) => r.id),
    ['other-leader-1'],
  );

  // The next occurrence is ours and runs.
  fake.advanceTo('2026-01-01T10:02:00.000Z');
  assert.deepEqual(
    fake.launches.map((r) => r.key),
    ['s:2026-01-01T10:02:00.000Z'],
  );
});

test('restart with a launching run: reattach, not launch; run-not-started then launches it exactly once', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  fake.putJobs(spec({ name: 'batch' }));
  const run = manual(fake, 'batch');
  assert.equal(fake.store.run(run.id).status, 'launching');

  // The server dies before the backend reports the start.
  const boot = fake.restart('2026-01-01T10:01:00.000Z');
  assert.deepEqual(
    ofType(boot, 'reattach').map((e) => [e.run.id, e.run.status, e.spec?.name]),
    [[run.id, 'launching', 'batch']],
  );
  assert.equal(ofType(boot, 'launch').length, 0);
  assert.equal(launchCount(fake, run.id), 1);

  // The backend has no trace of it: it never started, so it may go now, once.
  fake.advanceTo('2026-01-01T10:01:00.200Z');
  const notStarted = fake.send({ type: 'run-not-started', runId: run.id });
  assert.deepEqual(
    ofType(notStarted, 'launch').map((e) => e.run.id),
    [run.id],
  );
  assert.equal(launchCount(fake, run.id), 2, 'once before the restart, once after');
  assert.equal(fake.store.run(run.id).status, 'launching');

  fake.advanceTo('2026-01-01T10:05:00.000Z');
  assert.equal(launchCount(fake, run.id), 2);

  fake.started(run.id);
  fake.exited(run.id, 0);
  assert.equal(fake.store.run(run.id).status, 'succeeded');
});

test('restart with a launching run: run-started from the reattach adopts it', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  fake.putJobs(spec({ name: 'batch', timeout: '1m' }));
  const run = manual(fake, 'batch');
  const launched = fake.launches.length;

  fake.restart('2026-01-01T10:00:20.000Z');
  const adopted = fake.started(run.id, 'pid-4242');
  assert.equal(ofType(adopted, 'launch').length, 0);
  const stored = fake.store.run(run.id);
  assert.equal(stored.status, 'running');
  assert.equal(stored.taskId, 'pid-4242');
  assert.equal(stored.startedAt, at('2026-01-01T10:00:20.000Z'));
  assert.equal(stored.deadline, at('2026-01-01T10:01:20.000Z'));

  // It is the scheduler's run again: its timeout applies and its exit is recorded.
  fake.advanceTo('2026-01-01T10:01:20.000Z');
  assert.deepEqual(
    fake.kills.map((k) => k.run.id),
    [run.id],
  );
  fake.exited(run.id, null, 'SIGTERM');
  assert.equal(fake.store.run(run.id).status, 'failed');
  assert.equal(fake.launches.length, launched, 'never launched again');
});

test('restart with a running run: reattach, and its deadline survives the restart', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  fake.putJobs(spec({ name: 'batch', timeout: '1m' }));
  const run = manual(fake, 'batch');
  fake.started(run.id);
  const boot = fake.restart('2026-01-01T10:00:30.000Z');
  assert.deepEqual(
    ofType(boot, 'reattach').map((e) => [e.run.id, e.run.status]),
    [[run.id, 'running']],
  );
  assert.equal(fake.launches.length, 1);
  fake.started(run.id); // the backend confirms it is still there
  fake.advanceTo('2026-01-01T10:01:00.000Z');
  assert.deepEqual(
    fake.kills.map((k) => [k.run.id, k.reason]),
    [[run.id, 'timed out after 1m']],
  );
});

test('a queued run on boot is launched exactly once', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  fake.putJobs(spec({ name: 'flaky', retries: { max: 1, backoff: '10s', jitter: 0 } }));
  const run = manual(fake, 'flaky');
  fake.started(run.id);
  fake.advanceTo('2026-01-01T10:00:05.000Z');
  fake.exited(run.id, 1);
  const retry = fake.store.runsOf('flaky').find((r) => r.trigger === 'retry');
  assert.ok(retry);
  assert.equal(retry.status, 'queued');
  assert.equal(retry.scheduledAt, at('2026-01-01T10:00:15.000Z'));

  // Down from 10:00:05 to 10:00:30: the retry is overdue on boot and goes at once.
  const boot = fake.restart('2026-01-01T10:00:30.000Z');
  assert.deepEqual(
    ofType(boot, 'launch').map((e) => e.run.id),
    [retry.id],
  );
  assert.equal(ofType(boot, 'reattach').length, 0);
  fake.advanceTo('2026-01-01T10:10:00.000Z');
  assert.equal(launchCount(fake, retry.id), 1);
});

test('a queued run not yet due on boot waits for its time, then launches once', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  fake.putJobs(spec({ name: 'flaky', retries: { max: 1, backoff: '1m', jitter: 0 } }));
  const run = manual(fake, 'flaky');
  fake.started(run.id);
  fake.exited(run.id, 1);
  const retry = fake.store.runsOf('flaky').find((r) => r.trigger === 'retry')!;
  assert.equal(retry.scheduledAt, at('2026-01-01T10:01:00.000Z'));

  const boot = fake.restart('2026-01-01T10:00:30.000Z');
  assert.equal(ofType(boot, 'launch').length, 0);
  assert.equal(fake.armedAt, at('2026-01-01T10:01:00.000Z'));
  fake.advanceTo('2026-01-01T10:05:00.000Z');
  assert.equal(launchCount(fake, retry.id), 1);
  assert.equal(fake.launches.find((r) => r.id === retry.id)!.attempt, 2);
});

test('a restart right after an occurrence was claimed neither claims nor launches it again', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:30.000Z' });
  fake.putJobs(spec({ name: 'minutely', schedule: '* * * * *', concurrency: 'allow' }));
  fake.advanceTo('2026-01-01T10:01:00.000Z');
  const [run] = fake.launches;
  assert.ok(run);

  const boot = fake.restart('2026-01-01T10:01:00.500Z');
  assert.deepEqual(claimsIn(boot), []);
  assert.deepEqual(
    ofType(boot, 'reattach').map((e) => e.run.id),
    [run.id],
  );
  fake.advanceTo('2026-01-01T10:01:59.000Z');
  assert.equal(fake.launches.length, 1);
  assert.deepEqual(
    fake.store.runsOf('minutely').map((r) => r.key),
    ['s:2026-01-01T10:01:00.000Z'],
  );
});

test('restart: a launching run killed before the backend answers the reattach is not launched when it never started', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  fake.putJobs(spec({ name: 'batch' }));
  const run = manual(fake, 'batch');
  fake.restart('2026-01-01T10:01:00.000Z');

  // While the backend is still looking for the process, the user kills the run.
  const killed = fake.command({ kind: 'kill-run', runId: run.id });
  assert.ok(killed.ok);
  assert.deepEqual(
    fake.kills.map((k) => k.run.id),
    [run.id],
  );

  // It never started: it must not start now.
  const answer = fake.send({ type: 'run-not-started', runId: run.id });
  assert.deepEqual(
    ofType(answer, 'launch').map((e) => e.run.id),
    [],
    'a killed run is not launched',
  );
  assert.equal(launchCount(fake, run.id), 1);
  const stored = fake.store.run(run.id);
  assert.equal(stored.status, 'killed');
  assert.equal(stored.reason, 'killed on request');
});
