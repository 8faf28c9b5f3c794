/**
 * Misfires: the scheduler was down (restart after downtime) or late, and the job's misfire
 * policy and window decide which missed occurrences run.
 *
 * Every scenario: a `* * * * *` job created at 09:59:30 runs at 10:00 (10 s, succeeds);
 * the server stops at 10:00:30 and starts again later from what the store holds.
 *
 * Run: node --import tsx --test test/unit/core-misfire.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobSpecInput } from '../../src/core/job-spec.js';
import { FakeScheduler, at, iso, spec } from '../helpers/fake-scheduler.js';

function downThenRestart(restartAt: string, job: Partial<JobSpecInput> = {}) {
  const fake = new FakeScheduler({ start: '2026-01-01T09:59:30.000Z', autoRun: () => ({ durationMs: 10_000 }) });
  assert.equal(fake.putJobs(spec({ name: 'minutely', schedule: '* * * * *', ...job })).ok, true);
  fake.advanceTo('2026-01-01T10:00:30.000Z');
  const [first] = fake.store.runsOf('minutely');
  assert.equal(first?.status, 'succeeded');
  assert.equal(first.scheduledAt, at('2026-01-01T10:00:00.000Z'));

  const launchesBefore = fake.launches.length;
  fake.restart(restartAt);
  const since = (r: { scheduledAt: number }) => r.scheduledAt > at('2026-01-01T10:00:00.000Z');
  return {
    fake,
    /** Runs after the 10:00 one, oldest first. */
    runs: () => fake.store.runsOf('minutely').filter(since),
    launchedAfterRestart: () => fake.launches.slice(launchesBefore),
  };
}

const times = (runs: { scheduledAt: number }[]): string[] => runs.map((r) => iso(r.scheduledAt));

test('misfire skip: no run, one skipped record describing the missed occurrences', () => {
  const { fake, runs, launchedAfterRestart } = downThenRestart('2026-01-01T10:10:30.000Z', { misfire: { policy: 'skip' } });
  const after = runs();
  assert.equal(after.length, 1);
  const skipped = after[0]!;
  assert.equal(skipped.status, 'skipped');
  assert.equal(skipped.key, 's:2026-01-01T10:01:00.000Z');
  assert.equal(
    skipped.reason,
    'missed 10 occurrence(s), 2026-01-01T10:01:00.000Z to 2026-01-01T10:10:00.000Z (misfire policy skip)',
  );
  assert.deepEqual(launchedAfterRestart(), []);
  assert.equal(fake.store.jobs.get('minutely')!.cursor, at('2026-01-01T10:10:30.000Z'));
  assert.equal(fake.armedAt, at('2026-01-01T10:11:00.000Z'), 'back on schedule');
});

test('misfire run-once: one run, for the latest missed occurrence', () => {
  const { runs, launchedAfterRestart } = downThenRestart('2026-01-01T10:10:30.000Z', { misfire: { policy: 'run-once' } });
  const after = runs();
  const ran = after.filter((r) => r.status !== 'skipped');
  assert.deepEqual(times(ran), ['2026-01-01T10:10:00.000Z']);
  assert.equal(ran[0]!.key, 's:2026-01-01T10:10:00.000Z');
  assert.match(ran[0]!.reason ?? '', /one run for 10 missed occurrences since 2026-01-01T10:01:00.000Z/);
  assert.deepEqual(
    launchedAfterRestart().map((r) => r.id),
    [ran[0]!.id],
  );
  const skipped = after.filter((r) => r.status === 'skipped');
  assert.equal(skipped.length, 1);
  assert.match(skipped[0]!.reason ?? '', /^missed 9 occurrence\(s\), 2026-01-01T10:01:00.000Z to 2026-01-01T10:09:00.000Z/);
});

test('misfire run-all with concurrency forbid: every missed occurrence runs, one after another', () => {
  const { fake, runs, launchedAfterRestart } = downThenRestart('2026-01-01T10:10:30.000Z', {
    misfire: { policy: 'run-all' },
    concurrency: 'forbid',
  });
  const caughtUp = runs().filter((r) => r.status !== 'skipped');
  assert.deepEqual(times(caughtUp), [
    '2026-01-01T10:01:00.000Z',
    '2026-01-01T10:02:00.000Z',
    '2026-01-01T10:03:00.000Z',
    '2026-01-01T10:04:00.000Z',
    '2026-01-01T10:05:00.000Z',
    '2026-01-01T10:06:00.000Z',
    '2026-01-01T10:07:00.000Z',
    '2026-01-01T10:08:00.000Z',
    '2026-01-01T10:09:00.000Z',
    '2026-01-01T10:10:00.000Z',
  ]);
  assert.equal(launchedAfterRestart().length, 1, 'only the first catch-up run goes at once');

  // Each run takes 10 s: the ten are through by 10:12:10.
  fake.advanceTo('2026-01-01T10:12:30.000Z');
  const ids = new Set(caughtUp.map((r) => r.id));
  const done = fake.store.runsOf('minutely').filter((r) => ids.has(r.id));
  assert.ok(done.every((r) => r.status === 'succeeded'));
  assert.deepEqual(
    launchedAfterRestart().filter((r) => ids.has(r.id)).map((r) => r.id),
    caughtUp.map((r) => r.id),
    'launched once each, oldest first',
  );
  for (let i = 1; i < done.length; i++) {
    assert.ok(done[i]!.startedAt! >= done[i - 1]!.finishedAt!, `${iso(done[i]!.scheduledAt)} started after the one before finished`);
  }
});

test('misfire run-all with concurrency forbid: an on-time occurrence at boot runs after the catch-up, not skipped', () => {
  // Back at 10:10:03: 10:01-10:09 were missed, 10:10 is only 3 s late (on time).
  const { fake, runs } = downThenRestart('2026-01-01T10:10:03.000Z', { misfire: { policy: 'run-all' }, concurrency: 'forbid' });
  fake.advanceTo('2026-01-01T10:10:50.000Z');
  const after = runs().filter((r) => r.scheduledAt <= at('2026-01-01T10:10:00.000Z'));
  assert.deepEqual(
    after.filter((r) => r.status === 'skipped').map((r) => `${iso(r.scheduledAt)}: ${r.reason}`),
    [],
    'run-all runs every occurrence in the window',
  );
  assert.deepEqual(times(after), [
    '2026-01-01T10:01:00.000Z',
    '2026-01-01T10:02:00.000Z',
    '2026-01-01T10:03:00.000Z',
    '2026-01-01T10:04:00.000Z',
    '2026-01-01T10:05:00.000Z',
    '2026-01-01T10:06:00.000Z',
    '2026-01-01T10:07:00.000Z',
    '2026-01-01T10:08:00.000Z',
    '2026-01-01T10:09:00.000Z',
    '2026-01-01T10:10:00.000Z',
  ]);
});

test('occurrences older than the misfire window are skipped whatever the policy', () => {
  // Back at 10:10:30 with a 5 minute window: only 10:06-10:10 (after 10:05:30) may run.
  const expected = {
    skip: [],
    'run-once': ['2026-01-01T10:10:00.000Z'],
    'run-all': [
      '2026-01-01T10:06:00.000Z',
      '2026-01-01T10:07:00.000Z',
      '2026-01-01T10:08:00.000Z',
      '2026-01-01T10:09:00.000Z',
      '2026-01-01T10:10:00.000Z',
    ],
  } as const;
  for (const policy of ['skip', 'run-once', 'run-all'] as const) {
    const { runs } = downThenRestart('2026-01-01T10:10:30.000Z', { misfire: { policy, window: '5m' }, concurrency: 'allow' });
    const after = runs();
    assert.deepEqual(times(after.filter((r) => r.status !== 'skipped')), expected[policy], policy);
    const skipped = after.filter((r) => r.status === 'skipped');
    assert.equal(skipped.length, 1, policy);
    assert.equal(skipped[0]!.key, 's:2026-01-01T10:01:00.000Z', policy);
    assert.match(skipped[0]!.reason ?? '', /older than the misfire window/, policy);
  }
});

test('an occurrence late by at most misfireThresholdMs (5 s) is on time', () => {
  // Back at 10:10:05: 10:10 is exactly 5 s late and runs even under policy skip.
  const onTime = downThenRestart('2026-01-01T10:10:05.000Z', { misfire: { policy: 'skip' } });
  const ran = onTime.runs().filter((r) => r.status !== 'skipped');
  assert.deepEqual(times(ran), ['2026-01-01T10:10:00.000Z']);
  assert.equal(ran[0]!.reason, null, 'an on-time run, not a catch-up');
  assert.equal(onTime.launchedAfterRestart().length, 1);

  // One millisecond more and it was missed.
  const late = downThenRestart('2026-01-01T10:10:05.001Z', { misfire: { policy: 'skip' } });
  assert.deepEqual(late.runs().filter((r) => r.status !== 'skipped'), []);
  assert.equal(late.launchedAfterRestart().length, 0);
});

test('a tick delivered late by the loop counts as on time within the threshold', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:30.000Z', autoRun: () => ({ durationMs: 1_000 }) });
  fake.putJobs(spec({ name: 'minutely', schedule: '* * * * *', misfire: { policy: 'skip' } }));
  fake.tick('2026-01-01T10:01:04.000Z'); // 4 s late
  fake.advanceTo('2026-01-01T10:01:30.000Z');
  fake.tick('2026-01-01T10:02:06.000Z'); // 6 s late
  const runs = fake.store.runsOf('minutely');
  assert.deepEqual(
    runs.map((r) => `${iso(r.scheduledAt)} ${r.status}`),
    ['2026-01-01T10:01:00.000Z succeeded', '2026-01-01T10:02:00.000Z skipped'],
  );

  // The threshold is configurable.
  const strict = new FakeScheduler({ start: '2026-01-01T10:00:30.000Z', config: { misfireThresholdMs: 1_000 } });
  strict.putJobs(spec({ name: 'minutely', schedule: '* * * * *', misfire: { policy: 'skip' } }));
  strict.tick('2026-01-01T10:01:02.000Z');
  assert.equal(strict.store.runsOf('minutely')[0]!.status, 'skipped');
});

test('run-all: occurrences beyond the catch-up bound (MAX_CATCH_UP) are recorded as skipped, not silently dropped', () => {
  // A job every second, down for three hours with a one-day window: 10,800 missed, at most 10,000 run.
  const fake = new FakeScheduler({ start: '2026-01-01T09:59:59.000Z' });
  fake.putJobs(spec({ name: 'every-second', schedule: '* * * * * *', misfire: { policy: 'run-all', window: '1d' }, concurrency: 'allow' }));
  fake.advanceTo('2026-01-01T10:00:00.500Z'); // 10:00:00 ran
  fake.restart('2026-01-01T13:00:00.500Z');
  const runs = fake.store.runsOf('every-second').filter((r) => r.scheduledAt > at('2026-01-01T10:00:00.000Z'));
  const ran = runs.filter((r) => r.status !== 'skipped');
  assert.equal(ran.length, 10_000);
  assert.equal(iso(ran[0]!.scheduledAt), '2026-01-01T10:13:21.000Z', 'the newest 10,000 run');
  const skipped = runs.filter((r) => r.status === 'skipped');
  assert.equal(skipped.length, 1, 'the 800 occurrences not run (10:00:01 to 10:13:20) leave a skipped record');
  assert.equal(iso(skipped[0]!.scheduledAt), '2026-01-01T10:00:01.000Z');
  assert.match(skipped[0]!.reason ?? '', /missed 800 occurrence/);
});

test('run-all with forbid after a crash under full capacity: what came due while down queues behind the waiting run', () => {
  // One cpu, held by a long run; `tick` waits for it with a queued run when the server dies.
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z', agent: { cpus: 1 } });
  fake.putJobs(
    spec({ name: 'hog', resources: { cpus: 1 } }),
    spec({ name: 'tick', schedule: '* * * * * *', resources: { cpus: 1 }, concurrency: 'forbid', misfire: { policy: 'run-all', window: '1h' } }),
  );
  const hog = fake.command({ kind: 'run-job', name: 'hog' });
  assert.ok(hog.ok);
  fake.started(hog.value.id);
  fake.advanceTo('2026-01-01T10:00:02.000Z');
  const waiting = fake.store.runsOf('tick').filter((r) => r.status === 'queued');
  assert.equal(waiting.length, 1, 'one run waits for capacity; the next on-time one is skipped (forbid)');

  // Down from 10:00:02 to 10:00:06: 10:00:03-05 are late by less than the threshold, but no scheduler ran.
  fake.restart('2026-01-01T10:00:06.000Z');
  const runs = fake.store.runsOf('tick');
  const downtime = runs.filter((r) => r.scheduledAt > at('2026-01-01T10:00:02.000Z') && r.scheduledAt < at('2026-01-01T10:00:06.000Z'));
  assert.deepEqual(
    downtime.map((r) => `${iso(r.scheduledAt)} ${r.status}`),
    ['2026-01-01T10:00:03.000Z queued', '2026-01-01T10:00:04.000Z queued', '2026-01-01T10:00:05.000Z queued'],
  );
  assert.match(downtime[0]!.reason ?? '', /came due while no scheduler was running; waits for run/);
  // Once capacity frees up they run one after another, never two at once.
  fake.exited(hog.value.id, 0);
  for (const run of [waiting[0]!, ...downtime]) {
    const launched = fake.launches.filter((r) => r.job === 'tick' && fake.store.run(r.id).status === 'launching');
    assert.deepEqual(launched.map((r) => r.id), [run.id]);
    fake.started(run.id);
    fake.exited(run.id, 0);
  }
});
