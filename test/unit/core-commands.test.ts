/**
 * API commands through the core: put-jobs, pause/resume, delete, run, kill, and the
 * errors they answer with.
 *
 * Run: node --import tsx --test test/unit/core-commands.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemActor } from '../../src/core/access-control.js';
import type { CommandResult } from '../../src/core/types.js';
import { FakeScheduler, at, claimsIn, iso, ofType, spec, storeOps } from '../helpers/fake-scheduler.js';

const fakeAt = (start: string) => new FakeScheduler({ start, autoRun: () => ({ durationMs: 1_000 }) });

function assertError(result: CommandResult, status: 400 | 404 | 409): Extract<CommandResult, { ok: false }> {
  assert.equal(result.ok, false, JSON.stringify(result));
  assert.ok(!result.ok);
  assert.equal(result.status, status, JSON.stringify(result));
  return result;
}

test('put-jobs creates (created: true), then replaces (created: false)', () => {
  const fake = fakeAt('2026-01-01T10:00:00.000Z');
  const created = fake.putJobs(spec({ name: 'report', schedule: '0 * * * *' }));
  assert.ok(created.ok);
  assert.equal(created.created, true);
  const [view] = created.value;
  assert.equal(view?.job.spec.name, 'report');
  assert.equal(view.nextDue, at('2026-01-01T11:00:00.000Z'));
  assert.deepEqual(fake.store.jobs.get('report')?.cursor, at('2026-01-01T10:00:00.000Z'));

  fake.advanceTo('2026-01-01T10:10:00.000Z');
  const replaced = fake.putJobs(spec({ name: 'report', schedule: '0 * * * *', description: 'hourly report' }));
  assert.ok(replaced.ok);
  assert.equal(replaced.created, false);
  const stored = fake.store.jobs.get('report')!;
  assert.equal(stored.spec.description, 'hourly report');
  assert.equal(stored.createdAt, at('2026-01-01T10:00:00.000Z'));
  assert.equal(stored.updatedAt, at('2026-01-01T10:10:00.000Z'));
  assert.equal(fake.state.jobs.get('report')!.nextDue, at('2026-01-01T11:00:00.000Z'), 'same schedule, same next run');
});

test('a changed schedule restarts from now: nothing is caught up', () => {
  const fake = fakeAt('2026-01-01T10:00:00.000Z');
  fake.putJobs(spec({ name: 'report', schedule: '0 0 * * *', misfire: { policy: 'run-all' } }));
  fake.advanceTo('2026-01-01T10:30:00.000Z');
  // Under the new schedule 10:05 ... 10:30 are past, but the job starts from now.
  const put = fake.send({
    type: 'command',
    requestId: 99,
    command: { kind: 'put-jobs', specs: [spec({ name: 'report', schedule: '*/5 * * * *', misfire: { policy: 'run-all' } })] },
    actor: systemActor('test'),
  });
  assert.deepEqual(claimsIn(put), []);
  assert.equal(fake.store.jobs.get('report')!.cursor, at('2026-01-01T10:30:00.000Z'));
  assert.equal(fake.state.jobs.get('report')!.nextDue, at('2026-01-01T10:35:00.000Z'));

  fake.advanceTo('2026-01-01T10:40:30.000Z');
  assert.deepEqual(
    fake.store.runsOf('report').map((r) => `${iso(r.scheduledAt)} ${r.status}`),
    ['2026-01-01T10:35:00.000Z succeeded', '2026-01-01T10:40:00.000Z succeeded'],
  );
});

test('pause stops firing; resume starts from now, without catch-up', () => {
  const fake = fakeAt('2026-01-01T10:00:00.000Z');
  fake.putJobs(spec({ name: 'minutely', schedule: '* * * * *', misfire: { policy: 'run-all' } }));
  fake.advanceTo('2026-01-01T10:01:30.000Z');
  assert.equal(fake.store.runsOf('minutely').length, 1);

  const paused = fake.command({ kind: 'pause-job', name: 'minutely' });
  assert.ok(paused.ok);
  assert.equal(fake.store.jobs.get('minutely')!.spec.paused, true);
  assert.equal(fake.state.jobs.get('minutely')!.nextDue, null);
  assert.deepEqual(fake.published.at(-1), { kind: 'job', action: 'paused', job: 'minutely' });

  fake.advanceTo('2026-01-01T10:10:30.000Z');
  assert.equal(fake.store.runsOf('minutely').length, 1, 'no runs while paused');

  const resumeMark = fake.mark();
  const resumed = fake.command({ kind: 'resume-job', name: 'minutely' });
  assert.ok(resumed.ok);
  assert.deepEqual(fake.published.at(-1), { kind: 'job', action: 'resumed', job: 'minutely' });
  assert.deepEqual(claimsIn(fake.effectsSince(resumeMark)), [], 'the paused minutes are not caught up');
  assert.equal(fake.store.jobs.get('minutely')!.spec.paused, false);
  assert.equal(fake.store.jobs.get('minutely')!.cursor, at('2026-01-01T10:10:30.000Z'));

  fake.advanceTo('2026-01-01T10:12:30.000Z');
  assert.deepEqual(
    fake.store.runsOf('minutely').map((r) => iso(r.scheduledAt)),
    ['2026-01-01T10:01:00.000Z', '2026-01-01T10:11:00.000Z', '2026-01-01T10:12:00.000Z'],
  );
});

test('delete-job kills the job\'s active runs and removes it', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  fake.putJobs(spec({ name: 'doomed', concurrency: 'allow', killGracePeriod: '2s', retries: { max: 3 } }));
  const run = fake.command({ kind: 'run-job', name: 'doomed' });
  assert.ok(run.ok);
  const { id } = run.value;
  fake.started(id);

  const mark = fake.mark();
  const deleted = fake.command({ kind: 'delete-job', name: 'doomed' });
  assert.ok(deleted.ok);
  const effects = fake.effectsSince(mark);
  assert.deepEqual(
    ofType(effects, 'kill').map((k) => [k.run.id, k.reason, k.gracePeriodMs]),
    [[id, 'job deleted', 2_000]],
  );
  assert.ok(storeOps(effects).some((op) => op.op === 'delete-job' && op.name === 'doomed'));
  assert.equal(fake.store.jobs.has('doomed'), false);
  assert.equal(fake.state.jobs.has('doomed'), false);

  // The process ends; nothing is retried or launched for a deleted job.
  fake.advanceTo('2026-01-01T10:00:01.000Z');
  fake.exited(id, null, 'SIGTERM');
  assert.equal(fake.state.runs.has(id), false);
  fake.advanceTo('2026-01-01T10:10:00.000Z');
  assert.equal(fake.launches.length, 1);
  assert.deepEqual(fake.state.allocated.size, 0, 'its resources are released');
  assertError(fake.command({ kind: 'run-job', name: 'doomed' }), 404);
});

test('delete-job is refused (409, naming the children) while another job depends on it; force takes the reference off them', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  assert.ok(fake.putJobs(spec({ name: 'extract' }), spec({ name: 'load', after: ['extract'] }), spec({ name: 'audit', triggers: { onSuccess: ['extract'] } })).ok);
  const refused = assertError(fake.command({ kind: 'delete-job', name: 'extract' }), 409);
  assert.equal(refused.code, 'conflict');
  assert.match(refused.message, /needed by load, audit/);
  assert.ok(fake.store.jobs.has('extract'));
  assert.ok(fake.state.jobs.has('extract'));

  const forced = fake.command({ kind: 'delete-job', name: 'extract', force: true });
  assert.ok(forced.ok);
  assert.deepEqual(forced.value, { deleted: 'extract', changed: ['load', 'audit'] });
  assert.deepEqual(fake.store.jobs.get('load')!.spec.after, []);
  assert.deepEqual(fake.store.jobs.get('audit')!.spec.triggers.onSuccess, []);
  assert.equal(fake.store.jobs.has('extract'), false);
});

test('commands naming an unknown job or run answer 404', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  for (const kind of ['delete-job', 'run-job', 'pause-job', 'resume-job'] as const) {
    const result = assertError(fake.command({ kind, name: 'ghost' }), 404);
    assert.equal(result.code, 'not_found', kind);
    assert.match(result.message, /ghost/, kind);
  }
  assertError(fake.command({ kind: 'kill-run', runId: 'no-such-run' }), 404);
  assert.equal(fake.store.jobs.size, 0);
});

test('put-jobs: an `after` naming a missing job is a 400 that names the field', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  const one = assertError(fake.putJobs(spec({ name: 'load', after: ['extract', 'ghost'] })), 400);
  assert.deepEqual(one.details, [
    { field: 'after[0]', message: 'no job named "extract"' },
    { field: 'after[1]', message: 'no job named "ghost"' },
  ]);
  // Several at once: the field says which spec; a job put in the same batch counts.
  const many = assertError(fake.putJobs(spec({ name: 'extract' }), spec({ name: 'load', after: ['extract', 'ghost'] })), 400);
  assert.deepEqual(many.details, [{ field: '[1].after[1]', message: 'no job named "ghost"' }]);
  assert.equal(fake.store.jobs.size, 0, 'all or none');
});

test('put-jobs: an `after` cycle is a 400 that names the field, and changes nothing', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  assert.ok(fake.putJobs(spec({ name: 'a' }), spec({ name: 'b', after: ['a'] })).ok);
  const cycle = assertError(fake.putJobs(spec({ name: 'a', after: ['b'] })), 400);
  assert.equal(cycle.code, 'invalid');
  assert.equal(cycle.details?.length, 1);
  assert.equal(cycle.details![0]!.field, 'after');
  assert.match(cycle.details![0]!.message, /dependency cycle: a waits for b waits for a/);
  assert.deepEqual(fake.store.jobs.get('a')!.spec.after, []);
  assert.deepEqual(fake.state.jobs.get('a')!.stored.spec.after, []);
});
