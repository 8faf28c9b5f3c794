/**
 * Concurrency policies (forbid, allow, replace) and capacity: what runs at once, and in
 * which order waiting runs go when room frees up.
 *
 * Run: node --import tsx --test test/unit/core-concurrency.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobSpecInput } from '../../src/core/job-spec.js';
import type { CommandResult, Run } from '../../src/core/types.js';
import { FakeScheduler, at, claimsIn, iso, ofType, spec } from '../helpers/fake-scheduler.js';

/** A minutely job whose 10:01 run starts and keeps running; returns that run. */
function runningAt1001(concurrency: 'forbid' | 'allow' | 'replace', extra: Partial<JobSpecInput> = {}) {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:30.000Z' });
  fake.putJobs(spec({ name: 'minutely', schedule: '* * * * *', concurrency, ...extra }));
  fake.advanceTo('2026-01-01T10:01:00.000Z');
  const [first] = fake.launches;
  assert.ok(first);
  fake.advanceTo('2026-01-01T10:01:00.100Z');
  fake.started(first.id);
  return { fake, first };
}

const manualRun = (fake: FakeScheduler, name: string) => fake.command({ kind: 'run-job', name });

test('concurrency forbid: an occurrence while a run is active is skipped, a manual run gets 409', () => {
  const { fake, first } = runningAt1001('forbid');
  const tick = fake.tick('2026-01-01T10:02:00.000Z');
  const [skipped] = claimsIn(tick);
  assert.equal(skipped?.status, 'skipped');
  assert.equal(skipped.key, 's:2026-01-01T10:02:00.000Z');
  assert.equal(skipped.reason, `run ${first.id} is still running (concurrency: forbid)`);
  assert.equal(fake.store.run(skipped.id).status, 'skipped');

  const manual = manualRun(fake, 'minutely');
  assert.equal(manual.ok, false);
  assert.ok(!manual.ok && manual.status === 409 && manual.code === 'conflict', JSON.stringify(manual));
  assert.equal(fake.launches.length, 1, 'nothing else launched');

  // Once it is done, the next occurrence runs.
  fake.advanceTo('2026-01-01T10:02:30.000Z');
  fake.exited(first.id, 0);
  fake.advanceTo('2026-01-01T10:03:00.000Z');
  assert.deepEqual(
    fake.launches.map((r) => iso(r.scheduledAt)),
    ['2026-01-01T10:01:00.000Z', '2026-01-01T10:03:00.000Z'],
  );
});

test('concurrency allow: runs go in parallel', () => {
  const { fake, first } = runningAt1001('allow');
  fake.advanceTo('2026-01-01T10:02:00.000Z');
  const manual = manualRun(fake, 'minutely');
  assert.equal(manual.ok, true);
  assert.equal(manual.ok && manual.created, true);
  assert.equal(fake.launches.length, 3);
  assert.deepEqual(
    fake.launches.map((r) => r.trigger),
    ['schedule', 'schedule', 'manual'],
  );
  assert.equal(fake.store.run(first.id).status, 'running', 'the first one is left alone');
  assert.equal(fake.kills.length, 0);
});

test('concurrency replace: the old run is killed and the new one launched', () => {
  const { fake, first } = runningAt1001('replace', { killGracePeriod: '3s', retries: { max: 1 } });
  fake.tick('2026-01-01T10:02:00.000Z');
  const second = fake.launches[1];
  assert.ok(second, 'the new run launched');
  assert.equal(second.scheduledAt, at('2026-01-01T10:02:00.000Z'));
  assert.equal(fake.kills.length, 1);
  const kill = fake.kills[0]!;
  assert.equal(kill.run.id, first.id);
  assert.equal(kill.gracePeriodMs, 3_000);
  assert.equal(kill.reason, `replaced by run ${second.id}`);

  fake.advanceTo('2026-01-01T10:02:01.000Z');
  fake.exited(first.id, null, 'SIGTERM');
  const old = fake.store.run(first.id);
  assert.equal(old.status, 'killed');
  assert.equal(old.reason, `replaced by run ${second.id}`);
  assert.equal(fake.store.runsOf('minutely').filter((r) => r.trigger === 'retry').length, 0, 'a replaced run is not retried');
});

// ---------------------------------------------------------------------------------------
// capacity: one agent with 1 cpu, jobs of 0.6 cpu

function oneCpu() {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z', agent: { cpus: 1 } });
  const job = (name: string, priority = 0, cpus = 0.6) =>
    spec({ name, concurrency: 'allow', priority, resources: { cpus, mem: 64 } });
  return { fake, job };
}

const launchedIds = (fake: FakeScheduler): string[] => fake.launches.map((r) => r.id);
const valueRun = (result: CommandResult<'run-job'>): Run => {
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
};

test('capacity: only one 0.6-cpu run at a time on a 1-cpu agent; the next goes when room frees', () => {
  const { fake, job } = oneCpu();
  fake.putJobs(job('a'), job('b'));
  const a = valueRun(manualRun(fake, 'a'));
  const b = valueRun(manualRun(fake, 'b'));
  assert.deepEqual(launchedIds(fake), [a.id]);
  assert.equal(fake.store.run(b.id).status, 'queued');

  fake.advanceTo('2026-01-01T10:00:01.000Z');
  fake.started(a.id);
  fake.advanceTo('2026-01-01T10:05:00.000Z');
  assert.deepEqual(launchedIds(fake), [a.id], 'b still waits');
  fake.exited(a.id, 0);
  assert.deepEqual(launchedIds(fake), [a.id, b.id]);
});

test('capacity: waiting runs launch by priority (higher first), then by scheduled time', () => {
  const { fake, job } = oneCpu();
  fake.putJobs(job('hog'), job('low-early'), job('high', 5), job('low-late'));
  const hog = valueRun(manualRun(fake, 'hog'));
  fake.advanceTo('2026-01-01T10:00:01.000Z');
  const lowEarly = valueRun(manualRun(fake, 'low-early'));
  fake.advanceTo('2026-01-01T10:00:02.000Z');
  const high = valueRun(manualRun(fake, 'high'));
  fake.advanceTo('2026-01-01T10:00:03.000Z');
  const lowLate = valueRun(manualRun(fake, 'low-late'));
  assert.deepEqual(launchedIds(fake), [hog.id]);

  for (const [t, run] of [
    ['2026-01-01T10:00:10.000Z', hog],
    ['2026-01-01T10:00:20.000Z', high],
    ['2026-01-01T10:00:30.000Z', lowEarly],
    ['2026-01-01T10:00:40.000Z', lowLate],
  ] as const) {
    fake.advanceTo(t);
    fake.started(run.id);
    fake.exited(run.id, 0);
  }
  assert.deepEqual(
    fake.launches.map((r) => r.job),
    ['hog', 'high', 'low-early', 'low-late'],
  );
});

test('capacity: a job needing more than the agent has fails at once with a clear reason', () => {
  const { fake, job } = oneCpu();
  fake.putJobs(job('huge', 0, 2));
  const huge = valueRun(manualRun(fake, 'huge'));
  const stored = fake.store.run(huge.id);
  assert.equal(stored.status, 'failed');
  assert.equal(stored.reason, 'needs more than agent agent-1 has (cpus 2 > 1)');
  assert.equal(fake.launches.length, 0);
  assert.deepEqual(fake.state.waiting, [], 'not left waiting');
  assert.equal(ofType(fake.handled.flatMap((h) => h.effects), 'launch').length, 0);
});

test('capacity: a priority changed while runs wait applies to the waiting line', () => {
  const { fake, job } = oneCpu();
  fake.putJobs(job('hog'), job('report'), job('urgent'));
  const hog = valueRun(manualRun(fake, 'hog'));
  fake.advanceTo('2026-01-01T10:00:01.000Z');
  valueRun(manualRun(fake, 'report'));
  fake.advanceTo('2026-01-01T10:00:02.000Z');
  valueRun(manualRun(fake, 'urgent'));
  // Both wait behind the hog; now `urgent` is made more important than `report`.
  assert.ok(fake.putJobs(job('urgent', 10)).ok);

  fake.advanceTo('2026-01-01T10:00:10.000Z');
  fake.started(hog.id);
  fake.exited(hog.id, 0);
  assert.deepEqual(
    fake.launches.map((r) => r.job),
    ['hog', 'urgent'],
    'the waiting line is "best first: priority, then scheduled time" (state.ts)',
  );
});

test('capacity: a small run deep in a long line of big ones still goes where only it fits; shrinking a waiting job lets it in', () => {
  const { fake, job } = oneCpu();
  const bigs = Array.from({ length: 50 }, (_, i) => job(`big-${String(i).padStart(2, '0')}`));
  fake.putJobs(job('hog', 0, 0.7), ...bigs, job('small', 0, 0.2), job('shrinks'));
  const hog = valueRun(manualRun(fake, 'hog'));
  for (const big of bigs) valueRun(manualRun(fake, big.name));
  const shrinks = valueRun(manualRun(fake, 'shrinks'));
  const small = valueRun(manualRun(fake, 'small'));
  // 0.3 cpus free: none of the 0.6 runs fits, the 0.2 one behind all of them does.
  assert.deepEqual(launchedIds(fake), [hog.id, small.id]);
  assert.equal(fake.state.waiting.length, 51);
  assert.deepEqual(
    [...fake.state.waitingNeeds.values()].map(({ need, count }) => [need.cpus, count]),
    [[0.6, 51]],
    'what waits is counted by the resources it needs',
  );

  // 0.1 cpus free now: a job in line made smaller (0.1) is counted anew and goes.
  assert.ok(fake.putJobs(job('shrinks', 0, 0.1)).ok);
  assert.deepEqual(launchedIds(fake), [hog.id, small.id, shrinks.id]);
  assert.deepEqual([...fake.state.waitingNeeds.values()].map(({ need, count }) => [need.cpus, count]), [[0.6, 50]]);

  // Room for one big run: the first in line goes, the other 49 wait.
  fake.started(hog.id);
  fake.exited(hog.id, 0);
  assert.equal(fake.launches.at(-1)!.job, 'big-00');
  assert.equal(fake.state.waiting.length, 49);
});

test('capacity: a run too big for the agent fails at once even while the host is full and the line long', () => {
  const { fake, job } = oneCpu();
  fake.putJobs(job('hog', 0, 1), job('waits'), job('huge', 0, 2));
  valueRun(manualRun(fake, 'hog'));
  valueRun(manualRun(fake, 'waits'));
  const huge = valueRun(manualRun(fake, 'huge'));
  assert.equal(fake.store.run(huge.id).status, 'failed');
  assert.equal(fake.state.waiting.length, 1);
});
