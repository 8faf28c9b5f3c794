/**
 * Placement by the backend (Mesos offers) and every-agent jobs: without a capacity of its
 * own the core hands every due run to the backend; an every-agent job fans out to one
 * pinned run per eligible agent per occurrence.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeScheduler, claimsIn, spec } from '../helpers/fake-scheduler.js';

test('with offers placement, due runs all go to the backend, whatever their size', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:30.000Z', offers: { agents: ['a1', 'a2'] } });
  for (let i = 0; i < 5; i++) fake.putJobs(spec({ name: `big-${i}`, schedule: '* * * * *', resources: { cpus: 64 } }));
  fake.advanceTo('2026-01-01T10:01:00.000Z');
  assert.equal(fake.launches.length, 5);
  assert.ok(fake.launches.every((r) => r.agent === null), 'the backend picks the agent');
  assert.deepEqual(fake.state.used, { cpus: 0, mem: 0, disk: 0, gpus: 0 });
});

test('an every-agent job gets one pinned run per agent per occurrence, each with its own key', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:30.000Z', offers: { agents: ['a1', 'a2', 'a3'] } });
  fake.putJobs(spec({ name: 'fleet', schedule: '* * * * *', placement: 'every-agent', concurrency: 'allow' }));
  fake.advanceTo('2026-01-01T10:01:00.000Z');
  assert.deepEqual(
    fake.launches.map((r) => [r.agent, r.key]),
    [
      ['a1', 's:2026-01-01T10:01:00.000Z@a1'],
      ['a2', 's:2026-01-01T10:01:00.000Z@a2'],
      ['a3', 's:2026-01-01T10:01:00.000Z@a3'],
    ],
  );
  // An agent that goes away (or is blacklisted) gets no more runs.
  fake.send({ type: 'agents', agents: ['a1', 'a3'] });
  fake.advanceTo('2026-01-01T10:02:00.000Z');
  assert.deepEqual(fake.launches.slice(3).map((r) => r.agent), ['a1', 'a3']);
});

test('forbid applies per agent for every-agent jobs; no agent at all records a skip', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:30.000Z', offers: { agents: ['a1', 'a2'] } });
  fake.putJobs(spec({ name: 'fleet', schedule: '* * * * *', placement: 'every-agent', concurrency: 'forbid' }));
  fake.advanceTo('2026-01-01T10:01:00.000Z');
  const [onA1, onA2] = fake.launches;
  fake.started(onA1!.id);
  fake.started(onA2!.id);
  fake.exited(onA2!.id, 0);
  const tick = fake.tick('2026-01-01T10:02:00.000Z');
  const claims = claimsIn(tick);
  assert.deepEqual(
    claims.map((r) => [r.key, r.status]),
    [
      ['s:2026-01-01T10:02:00.000Z@a1', 'skipped'],
      ['s:2026-01-01T10:02:00.000Z@a2', 'queued'],
    ],
  );
  fake.send({ type: 'agents', agents: [] });
  const none = claimsIn(fake.tick('2026-01-01T10:03:00.000Z'));
  assert.equal(none.length, 1);
  assert.equal(none[0]!.status, 'skipped');
  assert.match(none[0]!.reason ?? '', /no eligible agent/);
});
