/**
 * A job's `user`: a POSIX user name, and on the local backend one this host can run it as
 * (the server's own, or any user the host has when the server can switch users); refused
 * when the job is applied, naming `user`. Mesos agents decide for themselves.
 *
 * Run: node --import tsx --test test/unit/core-host-users.test.ts
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { userProblems } from '../../src/core/host-users.js';
import { validateJobSpec } from '../../src/core/job-spec.js';
import type { HostUsers, JobSpec } from '../../src/core/types.js';
import { FakeScheduler, spec } from '../helpers/fake-scheduler.js';

const ROOT: HostUsers = { self: 'root', cannotSwitch: null, known: ['root', 'daemon', 'nobody', 'www-data'] };
const ALICE: HostUsers = { self: 'alice', cannotSwitch: 'it is not root', known: ['root', 'alice', 'nobody'] };

const job = (user?: string): JobSpec => {
  const result = validateJobSpec({ name: 'j', command: 'true', ...(user === undefined ? {} : { user }) });
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
};

describe('userProblems', () => {
  test('no user, or the server\'s own, always runs', () => {
    for (const users of [ROOT, ALICE]) {
      assert.deepEqual(userProblems(job(), 'h1', users), []);
      assert.deepEqual(userProblems(job(users.self), 'h1', users), []);
    }
  });

  test('a server that can switch users runs a job as any user the host has, and refuses one it lacks', () => {
    assert.deepEqual(userProblems(job('nobody'), 'h1', ROOT), []);
    assert.deepEqual(userProblems(job('www-data'), 'h1', ROOT), []);
    const [ghost, ...rest] = userProblems(job('ghost'), 'h1', ROOT, '[2].');
    assert.deepEqual(rest, []);
    assert.equal(ghost?.field, '[2].user');
    assert.equal(ghost?.message, 'there is no user "ghost" on this host (h1); the local backend runs everything here');
  });

  test('a server that cannot switch refuses every other user, even one the host has, and says why', () => {
    for (const user of ['nobody', 'root', 'ghost']) {
      const problems = userProblems(job(user), 'h1', ALICE);
      assert.deepEqual(problems.map((p) => p.field), ['user']);
      assert.match(problems[0]!.message, /^the server runs as "alice" and cannot run jobs as another user \(it is not root\); leave user out, or give "alice"$/);
    }
  });
});

describe('the user field', () => {
  test('POSIX user names are accepted', () => {
    for (const user of ['nobody', 'www-data', '_apt', 'svc.batch', 'Admin', 'machine$', 'a'.repeat(32)]) {
      assert.equal(job(user).user, user);
    }
  });

  test('anything else is refused naming user: a digit or "-" first, spaces, "/", empty, over 32 characters, not a string', () => {
    for (const user of ['1000', '-rf', 'a b', 'a/b', '', 'a'.repeat(33), 'ro$ot', 42, null]) {
      const result = validateJobSpec({ name: 'j', command: 'true', user });
      assert.ok(!result.ok, `${JSON.stringify(user)} was accepted`);
      assert.deepEqual(result.errors.map((e) => e.field), ['user'], JSON.stringify(result.errors));
    }
  });
});

describe('applying jobs', () => {
  const start = '2026-01-01T10:00:30.000Z';

  test('on a root local server: a user the host has is accepted, an unknown one is a 400 naming user (in a list, with its index)', () => {
    const fake = new FakeScheduler({ start, users: ROOT });
    assert.equal(fake.putJobs(spec({ name: 'as-nobody', user: 'nobody' })).ok, true);
    const refused = fake.putJobs(spec({ name: 'fine' }), spec({ name: 'ghostly', user: 'ghost' }));
    assert.ok(!refused.ok);
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.details?.map((d) => d.field), ['[1].user']);
    assert.equal(fake.state.jobs.has('fine'), false, 'all or none');
  });

  test('on a local server that is not root: only its own user', () => {
    const fake = new FakeScheduler({ start, users: ALICE });
    assert.equal(fake.putJobs(spec({ name: 'mine', user: 'alice' })).ok, true);
    const refused = fake.putJobs(spec({ name: 'theirs', user: 'nobody' }));
    assert.ok(!refused.ok);
    assert.deepEqual(refused.details?.map((d) => d.field), ['user']);
    assert.match(refused.message, /cannot run jobs as another user/);
  });

  test('on Mesos the agent decides: any user is accepted', () => {
    const mesos = new FakeScheduler({ start, offers: { agents: ['a1'] } });
    assert.equal(mesos.putJobs(spec({ name: 'ghostly', user: 'ghost' })).ok, true);
  });
});
