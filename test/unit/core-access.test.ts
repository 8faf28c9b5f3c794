/**
 * Who may change what, judged in update() against the state the command changes, and the
 * audit entry written in the same batch as the change (or the refusal).
 *
 * Run: node --import tsx --test test/unit/core-access.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemActor } from '../../src/core/access-control.js';
import { validateOwnerSpec } from '../../src/core/owner-spec.js';
import type { Actor, Command, CommandResult, OwnerSpec } from '../../src/core/types.js';
import { FakeScheduler, spec, storeOps } from '../helpers/fake-scheduler.js';

const actor = (role: Actor['role'], owners: string[] = [], name = `${role}-token`): Actor => ({ tokenId: `id-${name}`, name, role, owners, address: '10.0.0.7' });
const teamA = actor('operator', ['team-a'], 'ci-a');

function owner(name: string): OwnerSpec {
  const result = validateOwnerSpec({ name });
  assert.ok(result.ok);
  return result.value;
}

function scheduler(): FakeScheduler {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  assert.ok(fake.command({ kind: 'put-owners', specs: [owner('team-a'), owner('team-b')] }).ok);
  fake.putJobs(spec({ name: 'a-job', owners: ['team-a'] }), spec({ name: 'shared', owners: ['team-b', 'team-a'] }), spec({ name: 'b-job', owners: ['team-b'] }), spec({ name: 'orphan' }));
  return fake;
}

function refused(result: CommandResult, message: RegExp): void {
  assert.equal(result.ok, false, JSON.stringify(result));
  if (result.ok) return;
  assert.equal(result.status, 403);
  assert.equal(result.code, 'forbidden');
  assert.match(result.message, message);
}

test('an admin does everything; a viewer nothing', () => {
  const fake = scheduler();
  const admin = actor('admin');
  assert.ok(fake.command({ kind: 'run-job', name: 'b-job' }, admin).ok);
  assert.ok(fake.command({ kind: 'delete-owner', name: 'team-b' }, admin).ok === false, 'refused for another reason: jobs name it');
  const viewer = actor('viewer');
  const commands: Command[] = [{ kind: 'run-job', name: 'a-job' }, { kind: 'pause-job', name: 'orphan' }, { kind: 'put-owners', specs: [owner('x')] }];
  for (const command of commands) {
    refused(fake.command(command, viewer), /a viewer token only reads/);
  }
});

test("an operator changes its owners' jobs, shared ones included; others' and unowned ones are refused naming what it lacks", () => {
  const fake = scheduler();
  assert.ok(fake.command({ kind: 'run-job', name: 'a-job' }, teamA).ok);
  assert.ok(fake.command({ kind: 'pause-job', name: 'shared' }, teamA).ok, 'one shared owner is enough');
  assert.ok(fake.command({ kind: 'put-jobs', specs: [spec({ name: 'new-a', owners: ['team-a'] })] }, teamA).ok);
  refused(fake.command({ kind: 'run-job', name: 'b-job' }, teamA), /^job b-job belongs to team-b; this token acts for team-a$/);
  refused(fake.command({ kind: 'delete-job', name: 'orphan' }, teamA), /^job orphan has no owners, so only an admin token may change it/);
  refused(fake.command({ kind: 'put-jobs', specs: [spec({ name: 'b-job', owners: ['team-a'] })] }, teamA), /job b-job belongs to team-b/);
  refused(fake.command({ kind: 'put-jobs', specs: [spec({ name: 'a-job', owners: ['team-b'] })] }, teamA), /job a-job would belong to team-b/);
  refused(fake.command({ kind: 'put-jobs', specs: [spec({ name: 'new-a2', owners: ['team-a'] }), spec({ name: 'new-none' })] }, teamA), /job new-none would have no owners/);
  assert.equal(fake.state.jobs.has('new-a2'), false, 'all or none');
  const adminOnly: Command[] = [{ kind: 'put-owners', specs: [owner('team-c')] }, { kind: 'blacklist-agent', agent: 'S1', reason: 'x' }, { kind: 'teardown', frameworkId: 'f' }];
  for (const command of adminOnly) {
    refused(fake.command(command, teamA), /needs an admin token/);
  }
  refused(fake.command({ kind: 'test-notices', owner: 'team-b' }, teamA), /acts for team-a, not for owner team-b/);
  refused(fake.command({ kind: 'put-jobs', specs: [spec({ name: 'a-job', owners: ['team-a'], user: 'root' })] }, teamA), /would run as root; only an admin token/);
  assert.ok(fake.command({ kind: 'put-jobs', specs: [spec({ name: 'a-job', owners: ['team-a'], user: 'root' })] }, actor('admin')).ok, 'an admin may');
  assert.ok(fake.command({ kind: 'pause-job', name: 'a-job' }, teamA).ok, "pausing (or running) the admin's root job is still the operator's to do");
  assert.ok(fake.command({ kind: 'put-jobs', specs: [spec({ name: 'a-job', owners: ['team-a'] })] }, teamA).ok, 'and so is taking root away');
});

test("an operator kills runs of its owners' jobs only; an unknown job or run is still a 404", () => {
  const fake = scheduler();
  const bRun = fake.command({ kind: 'run-job', name: 'b-job' });
  assert.ok(bRun.ok);
  refused(fake.command({ kind: 'kill-run', runId: bRun.value.id }, teamA), /job b-job belongs to team-b/);
  const aRun = fake.command({ kind: 'run-job', name: 'a-job' }, teamA);
  assert.ok(aRun.ok);
  assert.ok(fake.command({ kind: 'kill-run', runId: aRun.value.id }, teamA).ok);
  const ghost = fake.command({ kind: 'run-job', name: 'ghost' }, teamA);
  assert.ok(!ghost.ok && ghost.status === 404);
});

test('every command is audited in its own batch: who, what, the outcome and why', () => {
  const fake = scheduler();
  const effects = fake.send({ type: 'command', requestId: 500, command: { kind: 'run-job', name: 'b-job' }, actor: teamA });
  const ops = storeOps(effects);
  assert.deepEqual(ops.map((o) => o.op), ['put-audit'], 'a refusal changes nothing but the audit log');
  const entry = ops[0]!.op === 'put-audit' ? ops[0]!.entry : null;
  assert.deepEqual(
    { ...entry, id: undefined },
    {
      id: undefined,
      at: Date.parse('2026-01-01T10:00:00.000Z'),
      actor: { tokenId: 'id-ci-a', name: 'ci-a', role: 'operator', address: '10.0.0.7' },
      action: 'run-job',
      targets: ['b-job'],
      outcome: 'refused',
      status: 403,
      detail: 'job b-job belongs to team-b; this token acts for team-a',
    },
  );
  const done = storeOps(fake.send({ type: 'command', requestId: 501, command: { kind: 'run-job', name: 'a-job' }, actor: teamA }));
  const audit = done.find((o) => o.op === 'put-audit');
  const claim = done.find((o) => o.op === 'claim-run');
  assert.ok(audit && claim && audit.op === 'put-audit' && claim.op === 'claim-run', 'the claim and its audit entry share the batch');
  assert.deepEqual(audit.entry.targets, ['a-job', claim.run.id]);
  assert.equal(audit.entry.outcome, 'done');
  assert.equal(audit.entry.status, 201);
  assert.deepEqual(
    fake.store.audit.map((e) => `${e.actor.name} ${e.action} ${e.outcome}`).slice(-2),
    ['ci-a run-job refused', 'ci-a run-job done'],
  );
  assert.equal(fake.store.audit[0]!.actor.name, systemActor('test').name, 'the harness acts as an admin of its own');
});

test('housekeeping prunes the audit log to the history age', () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z', config: { defaultHistory: { keep: 10, maxAgeMs: 3_600_000 }, housekeepingIntervalMs: 60_000 } });
  fake.putJobs(spec({ name: 'j' }));
  assert.equal(fake.store.audit.length, 1);
  fake.advanceTo('2026-01-01T11:30:00.000Z');
  assert.equal(fake.store.audit.length, 0, 'the entry from 10:00 is older than an hour');
});
