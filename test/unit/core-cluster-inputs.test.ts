/**
 * Inputs that used to go around the loop: the agent blacklist, teardown, the Mesos framework
 * ID, and task reports for runs that have ended. Each is a message or command whose writes
 * update() emits, so they are fenced like every other write.
 *
 * Run: node --import tsx --test test/unit/core-cluster-inputs.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FRAMEWORK_ID_META } from '../../src/core/types.js';
import { FakeScheduler, FakeStore, at, ofType, spec, storeOps } from '../helpers/fake-scheduler.js';

const onMesos = (store?: FakeStore) =>
  new FakeScheduler({ start: '2026-01-01T10:00:30.000Z', offers: { agents: ['a1', 'a2', 'a3'] }, ...(store ? { store } : {}) });

test('blacklisting an agent is a fenced write at the loop\'s time, tells the backend, and keeps every-agent runs off it', () => {
  const fake = onMesos();
  fake.putJobs(spec({ name: 'fleet', schedule: '* * * * *', placement: 'every-agent', concurrency: 'allow' }));
  const mark = fake.mark();
  const result = fake.command({ kind: 'blacklist-agent', agent: 'a2', reason: 'bad disk' });
  assert.ok(result.ok);
  assert.deepEqual(result.value, [{ agent: 'a2', reason: 'bad disk', since: at('2026-01-01T10:00:30.000Z') }]);
  const effects = fake.effectsSince(mark);
  assert.deepEqual(
    storeOps(effects).map((op) => (op.op === 'put-audit' ? `audit: ${op.entry.action} ${op.entry.targets.join(',')}` : op)),
    [{ op: 'blacklist-agent', agent: 'a2', reason: 'bad disk', since: at('2026-01-01T10:00:30.000Z') }, 'audit: blacklist-agent a2'],
  );
  assert.deepEqual(ofType(effects, 'set-blacklist'), [{ type: 'set-blacklist', agents: ['a2'] }]);

  fake.advanceTo('2026-01-01T10:01:00.000Z');
  assert.deepEqual(fake.launches.map((r) => r.agent), ['a1', 'a3']);

  // A new reason keeps the time it began; lifting it lets runs back on.
  fake.advanceTo('2026-01-01T10:01:10.000Z');
  const again = fake.command({ kind: 'blacklist-agent', agent: 'a2', reason: 'still bad' });
  assert.ok(again.ok);
  assert.equal(again.value[0]!.since, at('2026-01-01T10:00:30.000Z'));
  const lifted = fake.command({ kind: 'unblacklist-agent', agent: 'a2' });
  assert.ok(lifted.ok);
  assert.deepEqual(lifted.value, []);
  assert.equal(fake.store.blacklist.size, 0);
  fake.advanceTo('2026-01-01T10:02:00.000Z');
  assert.deepEqual(fake.launches.slice(2).map((r) => r.agent), ['a1', 'a2', 'a3']);
});

test('the blacklist survives a restart through the store; the local backend has none', () => {
  const store = new FakeStore();
  const first = onMesos(store);
  assert.ok(first.command({ kind: 'blacklist-agent', agent: 'a1', reason: 'r' }).ok);
  const second = onMesos(store);
  assert.deepEqual([...second.state.blacklist.keys()], ['a1']);

  const local = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  const refused = local.command({ kind: 'blacklist-agent', agent: 'agent-1', reason: 'r' });
  assert.equal(refused.ok, false);
  assert.equal(!refused.ok && refused.status, 409);
});

test('the framework ID is stored through the loop; teardown needs the current one and goes to the backend', () => {
  const fake = onMesos();
  const mark = fake.mark();
  fake.send({ type: 'framework-id', frameworkId: 'fw-1' });
  assert.deepEqual(storeOps(fake.effectsSince(mark)), [{ op: 'put-meta', key: FRAMEWORK_ID_META, value: 'fw-1' }]);
  assert.equal(fake.store.frameworkId, 'fw-1');

  const wrong = fake.command({ kind: 'teardown', frameworkId: 'fw-0' });
  assert.equal(!wrong.ok && wrong.status, 409);
  const before = fake.mark();
  const done = fake.command({ kind: 'teardown', frameworkId: 'fw-1' });
  assert.ok(done.ok);
  assert.deepEqual(done.value, { tornDown: 'fw-1' });
  assert.equal(ofType(fake.effectsSince(before), 'teardown').length, 1);

  // The backend subscribes anew and says so; a restart boots with what the store holds.
  fake.send({ type: 'framework-id', frameworkId: null });
  assert.equal(fake.store.frameworkId, null);
  const local = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  assert.equal(!local.command({ kind: 'teardown', frameworkId: 'fw-1' }).ok, true);
});

test('a task that reports running after its run ended is killed as a stray', () => {
  const fake = onMesos();
  fake.putJobs(spec({ name: 'etl' }));
  const result = fake.command({ kind: 'run-job', name: 'etl' });
  assert.ok(result.ok);
  const run = result.value;
  fake.started(run.id, 'moroccron.etl.x');
  fake.send({ type: 'run-lost', runId: run.id, reason: 'agent gone' });
  const mark = fake.mark();
  fake.send({ type: 'run-started', runId: run.id, agent: 'a1', taskId: 'moroccron.etl.x' });
  const strays = ofType(fake.effectsSince(mark), 'kill-stray');
  assert.equal(strays.length, 1);
  assert.deepEqual({ ...strays[0]!, reason: '' }, { type: 'kill-stray', runId: run.id, taskId: 'moroccron.etl.x', agent: 'a1', reason: '' });
  assert.equal(fake.store.run(run.id).status, 'lost', 'the ended run stays ended');
});

test('a run the master does not know yet keeps its first deadline however often that is repeated', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z', offers: { agents: ['a1'] }, config: { unreachableTimeoutMs: 60_000 } });
  fake.putJobs(spec({ name: 'etl' }));
  const result = fake.command({ kind: 'run-job', name: 'etl' });
  assert.ok(result.ok);
  const run = result.value;
  fake.started(run.id);
  const unknown = (since: string) =>
    fake.send({ type: 'run-unreachable', runId: run.id, agent: 'a1', since: at(since), why: 'TASK_UNKNOWN: the master does not know its agent' });
  unknown('2026-01-01T10:00:10.000Z');
  fake.advanceTo('2026-01-01T10:00:40.000Z');
  unknown('2026-01-01T10:00:40.000Z'); // a later reconciliation round says the same
  fake.advanceTo('2026-01-01T10:01:09.000Z');
  assert.equal(fake.store.run(run.id).status, 'running');
  fake.advanceTo('2026-01-01T10:01:10.000Z');
  assert.equal(fake.store.run(run.id).status, 'lost', 'lost one timeout after it was first heard');

  // Heard from in time (the agent re-registered and the task finished): it ends as it ended.
  const other = fake.command({ kind: 'run-job', name: 'etl' });
  assert.ok(other.ok);
  fake.started(other.value.id);
  fake.send({ type: 'run-unreachable', runId: other.value.id, agent: 'a1', since: fake.now, why: 'TASK_UNKNOWN' });
  fake.advance(30_000);
  fake.started(other.value.id);
  fake.exited(other.value.id, 0);
  fake.advance(120_000);
  assert.equal(fake.store.run(other.value.id).status, 'succeeded');
});

test('where a launching run was placed is stored (a new leader tells a placed task from one never sent); Mesos\' own words end a failure', () => {
  const fake = onMesos();
  fake.putJobs(spec({ name: 'etl' }));
  const result = fake.command({ kind: 'run-job', name: 'etl' });
  assert.ok(result.ok);
  const run = result.value;
  const mark = fake.mark();
  fake.send({ type: 'run-placed', runId: run.id, agent: 'a2', taskId: 'moroccron.etl.x' });
  assert.deepEqual(
    storeOps(fake.effectsSince(mark)).map((op) => op.op === 'update-run' && [op.run.status, op.run.agent, op.run.taskId]),
    [['launching', 'a2', 'moroccron.etl.x']],
  );
  fake.send({ type: 'run-placed', runId: run.id, agent: 'a2', taskId: 'moroccron.etl.x' });
  assert.equal(storeOps(fake.effectsSince(mark)).length, 1, 'a repeat changes nothing');
  fake.started(run.id, 'moroccron.etl.x');
  fake.send({ type: 'run-exited', runId: run.id, exitCode: null, signal: null, reason: 'TASK_FAILED: Memory limit exceeded' });
  const ended = fake.store.run(run.id);
  assert.equal(ended.status, 'failed');
  assert.equal(ended.reason, 'TASK_FAILED: Memory limit exceeded');
});
