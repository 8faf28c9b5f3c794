/**
 * The Store contract, as one suite every implementation must pass: call
 * `storeContract('sqlite', () => open a fresh store)` from a test file.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JobProgress, StoreOp } from '../../src/core/types.js';
import { FencedError, type Store } from '../../src/store/types.js';
import { FaultyStore, InjectedWriteFault } from './faulty-store.js';
import { accessContract } from './store-contract-access.js';
import { workflowContract } from './store-contract-workflows.js';
import { notice, owner, run, spec, storedJob } from './store-fixtures.js';

export { run, spec, storedJob } from './store-fixtures.js';

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
      await assert.rejects(store.write(old, [{ op: 'prune-runs', job: 'j', keep: 1, maxAgeMs: 0, now: 10 }]), FencedError);
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

    test('runs keep their labels through claim, update and every read', async () => {
      const store = await open();
      const epoch = await store.beginEpoch('a', 0);
      const labels = { team: 'data', 'cost.center': 'C-17', quoted: 'a "b", {c}\\ ü' };
      const labelled = run('j', { labels });
      const plain = run('j');
      await store.write(epoch, [{ op: 'claim-run', run: labelled }, { op: 'claim-run', run: plain }]);
      assert.deepEqual(await store.getRun(labelled.id), labelled);
      assert.deepEqual((await store.getRun(plain.id))!.labels, {});
      const updated = { ...labelled, status: 'running' as const, startedAt: 1500, labels: { ...labels, phase: 'two' } };
      await store.write(epoch, [{ op: 'update-run', run: updated }]);
      assert.deepEqual(await store.getRun(labelled.id), updated);
      assert.deepEqual((await store.listRuns({ job: 'j', limit: 10 })).runs.find((r) => r.id === labelled.id), updated);
      assert.deepEqual((await store.loadState()).activeRuns.find((r) => r.id === labelled.id), updated);
      await store.close();
    });

    test('a run keeps what it used (CPU time, peak memory) once it ends, and null until then', async () => {
      const store = await open();
      const epoch = await store.beginEpoch('a', 0);
      const running = run('j', { status: 'running', startedAt: 1500 });
      await store.write(epoch, [{ op: 'claim-run', run: running }]);
      assert.equal((await store.getRun(running.id))!.usage, null);
      const ended = { ...running, status: 'failed' as const, finishedAt: 2500, reason: 'memory limit (64 MiB) exceeded', usage: { cpuSeconds: 0.123456789, peakMemoryBytes: 67_108_864 } };
      await store.write(epoch, [{ op: 'update-run', run: ended }]);
      assert.deepEqual(await store.getRun(running.id), ended);
      assert.deepEqual((await store.listRuns({ job: 'j', limit: 10 })).runs.find((r) => r.id === running.id), ended);
      const unmeasuredPeak = { ...ended, usage: { cpuSeconds: 1, peakMemoryBytes: null } };
      await store.write(epoch, [{ op: 'update-run', run: unmeasuredPeak }]);
      assert.deepEqual(await store.getRun(running.id), unmeasuredPeak);
      await store.close();
    });

    test('prune-runs keeps the newest N finished runs and drops those older than maxAge; unfinished runs stay', async () => {
      const store = await open();
      const epoch = await store.beginEpoch('a', 0);
      const finished = Array.from({ length: 10 }, (_, i) =>
        run('j', { key: `s:${i}`, scheduledAt: 1000 * i, status: 'succeeded', finishedAt: 1000 * i + 500 }),
      );
      const active = run('j', { key: 's:active', scheduledAt: 0, status: 'running' });
      const otherJob = run('other', { status: 'succeeded', finishedAt: 1 });
      await store.write(epoch, [...finished, active, otherJob].map((r) => ({ op: 'claim-run' as const, run: r })));
      const byCount = await store.write(epoch, [{ op: 'prune-runs', job: 'j', keep: 6, maxAgeMs: 1e12, now: 100_000 }]);
      assert.deepEqual(byCount.removedRunIds.sort(), finished.slice(0, 4).map((r) => r.id).sort());
      const byAge = await store.write(epoch, [{ op: 'prune-runs', job: 'j', keep: 100, maxAgeMs: 3000, now: 10_000 }]);
      // finished_at < 10000 - 3000 = 7000: runs 4, 5 and 6 (finished 4500, 5500, 6500)
      assert.deepEqual(byAge.removedRunIds.sort(), finished.slice(4, 7).map((r) => r.id).sort());
      const left = (await store.listRuns({ job: 'j', limit: 100 })).runs.map((r) => r.id).sort();
      assert.deepEqual(left, [active.id, ...finished.slice(7).map((r) => r.id)].sort());
      assert.ok(await store.getRun(otherJob.id), 'another job is untouched');
      const freed = await store.write(epoch, [{ op: 'claim-run', run: run('j', { key: finished[0]!.key }) }]);
      assert.equal(freed.accepted.length, 1, 'a pruned run no longer holds its key');
      await store.close();
    });

    test('prune-runs sees the ops before it in its batch, and the ops after it see its removals', async () => {
      const store = await open();
      const epoch = await store.beginEpoch('a', 0);
      const older = [1, 2, 3].map((i) => run('j', { key: `s:${i}`, scheduledAt: 1000 * i, status: 'succeeded', finishedAt: 1000 * i }));
      await store.write(epoch, older.map((r) => ({ op: 'claim-run' as const, run: r })));
      const running = run('j', { key: 's:4', scheduledAt: 4000, status: 'running' });
      const skipped = run('j', { key: 's:5', scheduledAt: 5000, status: 'skipped', finishedAt: 5000 });
      const result = await store.write(epoch, [
        { op: 'claim-run', run: running },
        { op: 'update-run', run: { ...running, status: 'succeeded', finishedAt: 4500 } },
        { op: 'claim-run', run: skipped },
        { op: 'prune-runs', job: 'j', keep: 2, maxAgeMs: 1e12, now: 10_000 },
        { op: 'claim-run', run: run('j', { key: older[0]!.key, scheduledAt: 6000 }) },
      ]);
      assert.deepEqual(result.removedRunIds.sort(), older.map((r) => r.id).sort(), 'the runs finished in the batch are the newest two');
      assert.equal(result.accepted.length, 3, 'the pruned key is free for the claim after the prune');
      const left = (await store.listRuns({ job: 'j', limit: 100 })).runs;
      assert.deepEqual(left.map((r) => r.scheduledAt), [6000, 5000, 4000]);
      await store.close();
    });

    test('a batch replayed after its answer was lost applies once, and its claims come back accepted', async () => {
      const faulty = new FaultyStore(await open());
      const epoch = await faulty.beginEpoch('a', 0);
      const earlier = run('replayed', { key: 's:0', scheduledAt: 0 });
      const delivered = notice('delivered');
      await faulty.write(epoch, [
        { op: 'put-job', job: storedJob('replayed', 0) },
        { op: 'claim-run', run: earlier },
        { op: 'put-owner', owner: owner('leaving') },
        { op: 'put-owner', owner: owner('staying') },
        { op: 'put-notice', notice: delivered },
      ]);
      const claims = [1, 2, 3].map((i) =>
        run('replayed', { key: `s:${i}`, scheduledAt: 1000 * i, labels: { n: String(i) }, status: i === 3 ? 'waiting' : 'queued', causes: [`parent-${i}`] }),
      );
      const launching = { ...claims[0]!, status: 'launching' as const, agent: 'host' };
      const started = { ...earlier, status: 'running' as const, startedAt: 5, agent: 'host', late: true };
      const progress: JobProgress = { lastSuccess: { runId: 'p-1', finishedAt: 900 }, lastOutcome: null, consumed: { parent: 'p-1' } };
      const changedOwner = owner('staying', { email: 'new@example.com' }, { createdAt: 50, updatedAt: 60 });
      const fresh = [notice('n-2'), notice('n-1', { kind: 'late', sla: { rule: 'lateAfter', limitMs: 300_000 } })];
      const batch: StoreOp[] = [
        ...claims.map((r) => ({ op: 'claim-run' as const, run: r })),
        { op: 'update-run', run: launching },
        { op: 'update-run', run: started },
        { op: 'set-cursor', job: 'replayed', cursor: 3000 },
        { op: 'set-progress', job: 'replayed', progress },
        { op: 'put-meta', key: 'mesos.frameworkId', value: 'f-1' },
        { op: 'blacklist-agent', agent: 'S1', reason: 'bad disk', since: 7 },
        { op: 'unblacklist-agent', agent: 'S0' },
        { op: 'put-owner', owner: changedOwner },
        { op: 'delete-owner', name: 'leaving' },
        ...fresh.map((n) => ({ op: 'put-notice' as const, notice: n })),
        { op: 'delete-notice', id: delivered.id },
      ];
      faulty.failNextWrite('before-commit').failNextWrite('after-commit');
      await assert.rejects(faulty.write(epoch, batch), (e: unknown) => e instanceof InjectedWriteFault && e.fault === 'before-commit');
      await assert.rejects(faulty.write(epoch, batch), (e: unknown) => e instanceof InjectedWriteFault && e.fault === 'after-commit');
      assert.deepEqual(faulty.lostResults.map((r) => r.accepted), [claims.map((r) => r.id)]);
      const replayed = await faulty.write(epoch, batch);
      assert.deepEqual(replayed.accepted, claims.map((r) => r.id), 'our own earlier claims are accepted');
      assert.deepEqual(replayed.refused, []);
      assert.deepEqual(faulty.writes, { calls: 4, committed: 3, faults: 2 });
      const listed = (await faulty.listRuns({ job: 'replayed', limit: 100 })).runs;
      assert.deepEqual(listed, [claims[2], claims[1], launching, started], 'each run once, the replayed claim not undoing the update');
      assert.deepEqual(await faulty.getJob('replayed'), { ...storedJob('replayed', 3000), progress });
      assert.equal(await faulty.getMeta('mesos.frameworkId'), 'f-1');
      assert.deepEqual(await faulty.listBlacklist(), [{ agent: 'S1', reason: 'bad disk', since: 7 }]);
      assert.deepEqual(await faulty.listOwners(), [{ ...changedOwner, createdAt: 1 }], 'createdAt kept, not replayed over');
      const state = await faulty.loadState();
      assert.deepEqual(state.activeRuns.map((r) => r.id).sort(), [earlier, ...claims].map((r) => r.id).sort());
      assert.deepEqual(state.notices, fresh, 'each notice once, in the order put');
      await faulty.close();
    });

    test('a claim of a key another run holds stays refused, also in a replayed batch', async () => {
      const faulty = new FaultyStore(await open());
      const epoch = await faulty.beginEpoch('a', 0);
      const mine = run('j', { key: 's:1' });
      const rival = run('j', { key: 's:1' });
      faulty.failNextWrite('after-commit');
      await assert.rejects(faulty.write(epoch, [{ op: 'claim-run', run: mine }]), InjectedWriteFault);
      const result = await faulty.write(epoch, [{ op: 'claim-run', run: rival }, { op: 'claim-run', run: mine }]);
      assert.deepEqual(result.refused, [rival.id]);
      assert.deepEqual(result.accepted, [mine.id]);
      assert.deepEqual((await faulty.listRuns({ job: 'j', limit: 10 })).runs, [mine]);
      await faulty.close();
    });

    workflowContract(open);
    accessContract(open);
  });
}
