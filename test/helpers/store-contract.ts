/**
 * The Store contract, as one suite every implementation must pass: call
 * `storeContract('sqlite', () => open a fresh store)` from a test file.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateJobSpec, type JobSpec } from '../../src/core/job-spec.js';
import type { Run, StoredJob } from '../../src/core/types.js';
import { FencedError, type Store } from '../../src/store/types.js';

export function spec(name: string, extra: Record<string, unknown> = {}): JobSpec {
  const result = validateJobSpec({ name, schedule: '* * * * *', command: 'true', ...extra });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.value;
}

export const storedJob = (name: string, cursor: number | null = 1000): StoredJob => ({ spec: spec(name), cursor, createdAt: 1, updatedAt: 2 });

let seq = 0;
export function run(job: string, fields: Partial<Run> = {}): Run {
  const id = fields.id ?? `run-${++seq}`;
  return {
    id,
    job,
    key: `s:${id}`,
    trigger: 'schedule',
    scheduledAt: 1000,
    claimedAt: 1001,
    startedAt: null,
    finishedAt: null,
    attempt: 1,
    status: 'queued',
    exitCode: null,
    reason: null,
    agent: null,
    taskId: null,
    rootId: id,
    deadline: null,
    killReason: null,
    ...fields,
  };
}

export function storeContract(kind: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${kind}`, () => {
    test('jobs round-trip with their cursor; put replaces; delete removes the job and its runs', async () => {
      const store = await open();
      const epoch = await store.beginEpoch('a', 0);
      await store.write(epoch, [{ op: 'put-job', job: storedJob('alpha') }, { op: 'put-job', job: storedJob('beta', null) }]);
      assert.deepEqual(await store.getJob('alpha'), storedJob('alpha'));
      assert.deepEqual((await store.listJobs()).map((j) => j.spec.name), ['alpha', 'beta']);
      const changed = { ...storedJob('alpha', 5000), spec: spec('alpha', { schedule: '@daily' }), updatedAt: 9 };
      await store.write(epoch, [{ op: 'put-job', job: changed }, { op: 'set-cursor', job: 'beta', cursor: 7000 }]);
      assert.equal((await store.getJob('alpha'))!.spec.schedule, '@daily');
      assert.equal((await store.getJob('alpha'))!.createdAt, 1, 'createdAt is kept on replace');
      assert.equal((await store.getJob('beta'))!.cursor, 7000);
      const r = run('beta', { status: 'succeeded', finishedAt: 1 });
      await store.write(epoch, [{ op: 'claim-run', run: r }]);
      const result = await store.write(epoch, [{ op: 'delete-job', name: 'beta' }]);
      assert.deepEqual(result.removedRunIds, [r.id]);
      assert.equal(await store.getJob('beta'), null);
      assert.equal(await store.getRun(r.id), null);
      await store.close();
    });

    test('a second claim of the same (job, key) is refused, also within one batch', async () => {
      const store = await open();
      const epoch = await store.beginEpoch('a', 0);
      const first = run('j', { key: 's:2026-01-01T00:00:00.000Z' });
      const dup = run('j', { key: 's:2026-01-01T00:00:00.000Z' });
      const other = run('j', { key: 's:2026-01-01T00:00:01.000Z' });
      const sameKeyOtherJob = run('k', { key: 's:2026-01-01T00:00:00.000Z' });
      const result = await store.write(epoch, [
        { op: 'claim-run', run: first },
        { op: 'claim-run', run: dup },
        { op: 'claim-run', run: other },
        { op: 'claim-run', run: sameKeyOtherJob },
      ]);
      assert.deepEqual(result.accepted, [first.id, other.id, sameKeyOtherJob.id]);
      assert.deepEqual(result.refused, [dup.id]);
      const later = await store.write(epoch, [{ op: 'claim-run', run: run('j', { key: first.key }) }]);
      assert.equal(later.accepted.length, 0);
      assert.equal(later.refused.length, 1);
      await store.close();
    });

    test('a burst of claims is one transaction: a fenced batch leaves nothing behind', async () => {
      const store = await open();
      const old = await store.beginEpoch('a', 0);
      const current = await store.beginEpoch('b', 1);
      assert.ok(current > old, 'epochs increase');
      const burst = Array.from({ length: 50 }, (_, i) => ({ op: 'claim-run' as const, run: run('j', { key: `s:${i}` }) }));
      await assert.rejects(store.write(old, burst), FencedError);
      assert.equal((await store.listRuns({ limit: 100 })).runs.length, 0);
      await assert.rejects(store.prune(old, 'j', { keep: 1, maxAgeMs: 0 }, 10), FencedError);
      const ok = await store.write(current, burst);
      assert.equal(ok.accepted.length, 50);
      await store.close();
    });

    test('runs update in place; loadState returns jobs and the unfinished runs only', async () => {
      const store = await open();
      const epoch = await store.beginEpoch('a', 0);
      const queued = run('j');
      const running = run('j', { status: 'running', startedAt: 1500, agent: 'host', deadline: 9000 });
      const done = run('j', { status: 'failed', exitCode: 2, reason: 'exit code 2', finishedAt: 2000 });
      await store.write(epoch, [{ op: 'put-job', job: storedJob('j') }, ...[queued, running, done].map((r) => ({ op: 'claim-run' as const, run: r }))]);
      await store.write(epoch, [{ op: 'update-run', run: { ...queued, status: 'launching', agent: 'host' } }]);
      assert.deepEqual(await store.getRun(queued.id), { ...queued, status: 'launching', agent: 'host' });
      assert.deepEqual(await store.getRun(done.id), done);
      const state = await store.loadState();
      assert.deepEqual(state.jobs.map((j) => j.spec.name), ['j']);
      assert.deepEqual(state.activeRuns.map((r) => r.id).sort(), [queued.id, running.id].sort());
      await store.close();
    });

    test('listRuns filters by job, status and time, newest first, with a cursor that pages without gaps', async () => {
      const store = await open();
      const epoch = await store.beginEpoch('a', 0);
      const runs = Array.from({ length: 25 }, (_, i) =>
        run(i % 2 ? 'odd' : 'even', { key: `s:${i}`, scheduledAt: 10_000 + Math.floor(i / 2) * 1000, status: i % 5 === 0 ? 'failed' : 'succeeded' }),
      );
      await store.write(epoch, runs.map((r) => ({ op: 'claim-run' as const, run: r })));
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await store.listRuns({ limit: 4, ...(cursor ? { cursor } : {}) });
        seen.push(...page.runs.map((r) => r.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      assert.equal(seen.length, 25);
      assert.equal(new Set(seen).size, 25);
      const all = await store.listRuns({ limit: 100 });
      const order = all.runs.map((r) => r.scheduledAt);
      assert.deepEqual(order, [...order].sort((a, b) => b - a), 'newest first');
      assert.ok((await store.listRuns({ job: 'odd', limit: 100 })).runs.every((r) => r.job === 'odd'));
      const failed = await store.listRuns({ status: ['failed'], limit: 100 });
      assert.deepEqual(failed.runs.map((r) => r.status), ['failed', 'failed', 'failed', 'failed', 'failed']);
      const recent = await store.listRuns({ since: 20_000, limit: 100 });
      assert.ok(recent.runs.length > 0 && recent.runs.every((r) => r.scheduledAt >= 20_000));
      await store.close();
    });

    test('meta values and the agent blacklist are kept, fenced like everything else', async () => {
      const store = await open();
      const old = await store.beginEpoch('a', 0);
      assert.equal(await store.getMeta('mesos.frameworkId'), null);
      await store.write(old, [{ op: 'put-meta', key: 'mesos.frameworkId', value: 'f-0001' }]);
      const epoch = await store.beginEpoch('b', 1);
      await assert.rejects(store.write(old, [{ op: 'put-meta', key: 'mesos.frameworkId', value: 'f-9999' }]), FencedError);
      await store.write(epoch, [
        { op: 'put-meta', key: 'mesos.frameworkId', value: 'f-0002' },
        { op: 'blacklist-agent', agent: 'S1', reason: 'bad disk', since: 5 },
        { op: 'blacklist-agent', agent: 'S0', reason: 'draining', since: 6 },
      ]);
      assert.equal(await store.getMeta('mesos.frameworkId'), 'f-0002');
      assert.deepEqual(await store.listBlacklist(), [
        { agent: 'S0', reason: 'draining', since: 6 },
        { agent: 'S1', reason: 'bad disk', since: 5 },
      ]);
      await store.write(epoch, [{ op: 'unblacklist-agent', agent: 'S1' }, { op: 'unblacklist-agent', agent: 'never-listed' }]);
      assert.deepEqual((await store.listBlacklist()).map((e) => e.agent), ['S0']);
      await store.close();
    });

    test('prune keeps the newest N finished runs and drops those older than maxAge; unfinished runs stay', async () => {
      const store = await open();
      const epoch = await store.beginEpoch('a', 0);
      const finished = Array.from({ length: 10 }, (_, i) =>
        run('j', { key: `s:${i}`, scheduledAt: 1000 * i, status: 'succeeded', finishedAt: 1000 * i + 500 }),
      );
      const active = run('j', { key: 's:active', scheduledAt: 0, status: 'running' });
      const otherJob = run('other', { status: 'succeeded', finishedAt: 1 });
      await store.write(epoch, [...finished, active, otherJob].map((r) => ({ op: 'claim-run' as const, run: r })));
      const byCount = await store.prune(epoch, 'j', { keep: 6, maxAgeMs: 1e12 }, 100_000);
      assert.deepEqual(byCount.sort(), finished.slice(0, 4).map((r) => r.id).sort());
      const byAge = await store.prune(epoch, 'j', { keep: 100, maxAgeMs: 3000 }, 10_000);
      // finished_at < 10000 - 3000 = 7000: runs 4, 5 and 6 (finished 4500, 5500, 6500)
      assert.deepEqual(byAge.sort(), finished.slice(4, 7).map((r) => r.id).sort());
      const left = (await store.listRuns({ job: 'j', limit: 100 })).runs.map((r) => r.id).sort();
      assert.deepEqual(left, [active.id, ...finished.slice(7).map((r) => r.id)].sort());
      assert.ok(await store.getRun(otherJob.id), 'another job is untouched');
      await store.close();
    });
  });
}
