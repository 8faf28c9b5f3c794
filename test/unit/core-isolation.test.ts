/**
 * What the core makes of a host's isolation: a run the kernel killed for its memory limit
 * fails with that reason, what a run used is kept on it, and `resources.pids` is refused
 * where nothing would enforce it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeScheduler, spec } from '../helpers/fake-scheduler.js';

const start = '2026-01-01T10:00:00.000Z';

function launchedRun(fake: FakeScheduler, name: string) {
  assert.ok(fake.putJobs(spec({ name, resources: { cpus: 0.5, mem: 64 } })).ok);
  const result = fake.command({ kind: 'run-job', name });
  assert.ok(result.ok, JSON.stringify(result));
  const run = result.value;
  fake.started(run.id);
  return run;
}

test('a run killed for its memory limit fails with that reason, and keeps what it used', () => {
  const fake = new FakeScheduler({ start, isolation: { mode: 'cgroups-v1', why: null } });
  const run = launchedRun(fake, 'hog');
  const usage = { cpuSeconds: 0.12, peakMemoryBytes: 64 * 1024 * 1024 };
  fake.send({ type: 'run-exited', runId: run.id, exitCode: null, signal: 'SIGKILL', usage, memoryLimitMiB: 64 });
  const stored = fake.store.run(run.id);
  assert.equal(stored.status, 'failed');
  assert.equal(stored.reason, 'memory limit (64 MiB) exceeded');
  assert.deepEqual(stored.usage, usage);
});

test('a run that hit its memory limit but still succeeded succeeds; one without a limit hit fails as before', () => {
  const fake = new FakeScheduler({ start });
  const recovered = launchedRun(fake, 'recovers');
  fake.send({ type: 'run-exited', runId: recovered.id, exitCode: 0, signal: null, memoryLimitMiB: 64 });
  assert.equal(fake.store.run(recovered.id).status, 'succeeded');
  const plain = launchedRun(fake, 'plain');
  fake.send({ type: 'run-exited', runId: plain.id, exitCode: null, signal: 'SIGKILL' });
  assert.equal(fake.store.run(plain.id).reason, 'killed by SIGKILL');
  assert.equal(fake.store.run(plain.id).usage, null, 'not measured');
});

test('resources.pids is refused where nothing enforces it, naming the field', () => {
  const pids = spec({ name: 'forky', resources: { cpus: 0.1, mem: 64, pids: 50 } });
  const isolated = new FakeScheduler({ start, isolation: { mode: 'cgroups-v2', why: null } });
  assert.ok(isolated.putJobs(pids).ok);

  const counted = new FakeScheduler({ start, isolation: { mode: 'none', why: 'no cgroup hierarchy is writable' } });
  const refused = counted.putJobs(pids);
  assert.ok(!refused.ok);
  assert.equal(refused.status, 400);
  assert.deepEqual(refused.details?.map((f) => f.field), ['resources.pids']);
  assert.match(refused.details![0]!.message, /isolation: none: no cgroup hierarchy is writable/);

  const mesos = new FakeScheduler({ start, offers: { agents: ['a1'] } });
  const onMesos = mesos.putJobs(pids);
  assert.ok(!onMesos.ok);
  assert.match(onMesos.details![0]!.message, /Mesos has no limit/);
});
