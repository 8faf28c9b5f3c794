/**
 * The core loop end to end through the fake shell: firing, claiming, launching, the
 * wake-up timer, the cost of a tick and housekeeping.
 *
 * Run: node --import tsx --test test/unit/core-loop.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skewOf, type Effect, type StoredJob } from '../../src/core/types.js';
import type { JobEntry } from '../../src/core/state.js';
import { FakeScheduler, FakeStore, at, claimsIn, iso, ofType, spec, storeOps, storedJob } from '../helpers/fake-scheduler.js';

test('a "* * * * * *" job fires once a second: claim, launch once claimed, start, succeed', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T00:00:00.000Z' });
  const put = fake.putJobs(spec({ name: 'every-second', schedule: '* * * * * *' }));
  assert.equal(put.ok, true);
  assert.equal(fake.armedAt, at('2026-01-01T00:00:01.000Z'));

  // The first occurrence, step by step.
  const tick = fake.tick('2026-01-01T00:00:01.000Z');
  assert.equal(tick[0]?.type, 'store', 'store effects come first');
  const claims = claimsIn(tick);
  assert.equal(claims.length, 1);
  const claim = claims[0]!;
  assert.equal(claim.key, 's:2026-01-01T00:00:01.000Z');
  assert.equal(claim.trigger, 'schedule');
  assert.equal(claim.status, 'queued');
  assert.equal(claim.scheduledAt, at('2026-01-01T00:00:01.000Z'));
  assert.equal(ofType(tick, 'launch').length, 0, 'nothing launches before the claim is confirmed');
  assert.deepEqual(ofType(tick, 'set-timer'), [{ type: 'set-timer', at: at('2026-01-01T00:00:02.000Z') }]);

  // The shell confirmed the claim; the launch came with that `claimed` message.
  const claimed = fake.handled.at(-1)!;
  assert.equal(claimed.message.type, 'claimed');
  assert.deepEqual(ofType(claimed.effects, 'launch').map((e) => e.run.id), [claim.id]);
  assert.equal(fake.store.run(claim.id).status, 'launching');

  fake.now = at('2026-01-01T00:00:01.250Z');
  fake.started(claim.id);
  const running = fake.store.run(claim.id);
  assert.equal(running.status, 'running');
  assert.equal(running.startedAt, at('2026-01-01T00:00:01.250Z'));
  assert.equal(skewOf(running), 250);

  fake.now = at('2026-01-01T00:00:01.600Z');
  fake.exited(claim.id, 0);
  const done = fake.store.run(claim.id);
  assert.equal(done.status, 'succeeded');
  assert.equal(done.exitCode, 0);
  assert.equal(done.finishedAt, at('2026-01-01T00:00:01.600Z'));

  // A tick a hair early fires nothing but still re-arms the timer.
  const early = fake.tick('2026-01-01T00:00:01.999Z');
  assert.equal(claimsIn(early).length, 0);
  assert.deepEqual(ofType(early, 'set-timer'), [{ type: 'set-timer', at: at('2026-01-01T00:00:02.000Z') }]);

  // From here the fake backend starts each run 20 ms after launch and it exits 300 ms later.
  fake.autoRun = () => ({ startAfterMs: 20, durationMs: 300 });
  const mark = fake.mark();
  fake.advanceTo('2026-01-01T00:01:00.500Z');

  const runs = fake.store.runsOf('every-second');
  assert.equal(runs.length, 60, 'one run a second from 00:00:01 to 00:01:00');
  assert.equal(new Set(runs.map((r) => r.scheduledAt)).size, 60, 'no two runs share scheduledAt');
  runs.forEach((run, i) => {
    assert.equal(run.scheduledAt, at('2026-01-01T00:00:01.000Z') + i * 1000);
    assert.equal(run.key, `s:${iso(run.scheduledAt)}`);
    assert.equal(run.status, 'succeeded');
    if (i > 0) assert.equal(skewOf(run), 20);
  });
  assert.equal(fake.launchesOf('every-second').length, 60, 'each run launched once');

  // Every tick was answered with a fresh timer in the future.
  const ticks = fake.handled.slice(mark).filter((h) => h.message.type === 'tick');
  assert.ok(ticks.length >= 59);
  for (const t of ticks) {
    const timers = ofType(t.effects, 'set-timer');
    assert.equal(timers.length, 1, `tick at ${iso(t.now)} re-armed the timer`);
    assert.ok(timers[0]!.at !== null && timers[0]!.at > t.now);
  }
});

/** A Map that counts how often it is read and scanned. */
class CountingMap<K, V> extends Map<K, V> {
  reads = 0;
  scans = 0;
  override get(key: K): V | undefined {
    this.reads++;
    return super.get(key);
  }
  override has(key: K): boolean {
    this.reads++;
    return super.has(key);
  }
  override values(): MapIterator<V> {
    this.scans++;
    return super.values();
  }
  override keys(): MapIterator<K> {
    this.scans++;
    return super.keys();
  }
  override entries(): MapIterator<[K, V]> {
    this.scans++;
    return super.entries();
  }
  override [Symbol.iterator](): MapIterator<[K, V]> {
    this.scans++;
    return super.entries();
  }
  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void): void {
    this.scans++;
    super.forEach(fn);
  }
}

test('a tick costs O(runs due): with 10,000 hourly jobs, the tick at which one is due touches only that one', () => {
  const bootAt = at('2026-01-01T10:59:59.500Z');
  const store = new FakeStore();
  const jobs: StoredJob[] = [storedJob(spec({ name: 'due-at-the-hour', schedule: '0 0 * * * *' }), bootAt)];
  // 9,999 more hourly jobs, spread over every other second of the hour (none at hh:00:00).
  for (let i = 0; i < 9_999; i++) {
    const slot = 1 + (i % 3599);
    const schedule = `${slot % 60} ${Math.floor(slot / 60)} * * * *`;
    jobs.push(storedJob(spec({ name: `hourly-${i}`, schedule }), bootAt));
  }
  for (const job of jobs) store.jobs.set(job.spec.name, job);

  const fake = new FakeScheduler({ start: '2026-01-01T10:59:59.500Z', store });
  assert.equal(fake.state.jobs.size, 10_000);
  assert.equal(fake.armedAt, at('2026-01-01T11:00:00.000Z'));
  const nextDueBefore = new Map([...fake.state.jobs].map(([name, e]) => [name, e.nextDue]));

  const counting = new CountingMap<string, JobEntry>(fake.state.jobs);
  fake.state.jobs = counting;
  counting.reads = 0;
  counting.scans = 0;

  const effects = fake.tick('2026-01-01T11:00:00.000Z');
  const ops = storeOps(effects);
  assert.deepEqual(
    ops.map((op) => op.op),
    ['claim-run', 'set-cursor'],
  );
  assert.equal(claimsIn(effects)[0]!.job, 'due-at-the-hour');
  assert.equal(counting.scans, 0, 'the tick did not walk the jobs');
  assert.ok(counting.reads <= 10, `the tick looked up ${counting.reads} jobs`);
  assert.deepEqual(ofType(effects, 'set-timer'), [{ type: 'set-timer', at: at('2026-01-01T11:00:01.000Z') }]);

  // Nothing else was fired or rescheduled.
  for (const [name, entry] of fake.state.jobs) {
    if (name === 'due-at-the-hour') assert.equal(entry.nextDue, at('2026-01-01T12:00:00.000Z'));
    else assert.equal(entry.nextDue, nextDueBefore.get(name), name);
  }
  assert.deepEqual(
    fake.launches.map((r) => r.job),
    ['due-at-the-hour'],
  );
});

const pruneOps = (effects: Effect[]) => storeOps(effects).filter((op) => op.op === 'prune-runs');

test('housekeeping: finished runs are pruned within the interval, with each job\'s history limits', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z', autoRun: () => ({ durationMs: 10_000 }) });
  fake.putJobs(
    spec({ name: 'keep-five', schedule: '* * * * *', history: { keep: 5, maxAge: '1d' } }),
    spec({ name: 'defaults', schedule: '30 * * * *' }),
  );
  fake.advanceTo('2026-01-01T10:01:10.000Z');
  const finished = fake.store.runsOf('keep-five');
  assert.equal(finished.length, 1);
  assert.equal(finished[0]!.status, 'succeeded');
  assert.equal(finished[0]!.finishedAt, at('2026-01-01T10:01:10.000Z'));
  assert.equal(fake.prunes.length, 0, 'nothing to prune before a run finished');

  fake.advanceTo('2026-01-01T10:02:10.000Z');
  const prune = fake.handled.find((h) => pruneOps(h.effects).length > 0);
  assert.ok(prune, 'prune ops within the housekeeping interval (60 s)');
  assert.ok(prune.now > at('2026-01-01T10:01:10.000Z') && prune.now <= at('2026-01-01T10:02:10.000Z'), iso(prune.now));
  assert.deepEqual(pruneOps(prune.effects), [{ op: 'prune-runs', job: 'keep-five', keep: 5, maxAgeMs: 24 * 3600_000, now: prune.now }]);

  // A job without history limits gets the configured defaults.
  fake.advanceTo('2026-01-01T10:31:30.000Z');
  const last = fake.prunes.filter((op) => op.job === 'defaults').at(-1)!;
  assert.deepEqual({ keep: last.keep, maxAgeMs: last.maxAgeMs }, { keep: 1_000, maxAgeMs: 30 * 24 * 3600_000 });
});
