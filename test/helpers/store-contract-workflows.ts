/**
 * The Store contract for what workflows keep (part of storeContract): runs' causes and late
 * flag, waiting runs, jobs' progress, owners and the notice outbox.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NO_PROGRESS, type JobProgress, type StoreOp } from '../../src/core/types.js';
import { FencedError, type Store } from '../../src/store/types.js';
import { notice, owner, run, spec, storedJob } from './store-fixtures.js';

export function workflowContract(open: () => Promise<Store>): void {
  test('runs keep their causes and late flag; waiting runs are unfinished until they move on', async () => {
    const store = await open();
    const epoch = await store.beginEpoch('a', 0);
    const parents = [run('a', { status: 'succeeded', finishedAt: 900 }), run('b', { status: 'succeeded', finishedAt: 950 })];
    const waiting = run('child', { status: 'waiting', trigger: 'dependency', scheduledAt: 2000 });
    const released = run('child', { trigger: 'dependency', causes: parents.map((p) => p.id), scheduledAt: 3000 });
    const late = run('child', { status: 'running', startedAt: 1500, late: true, scheduledAt: 1000 });
    await store.write(epoch, [...parents, waiting, released, late].map((r) => ({ op: 'claim-run' as const, run: r })));
    for (const r of [waiting, released, late]) assert.deepEqual(await store.getRun(r.id), r);
    assert.deepEqual((await store.loadState()).activeRuns, [late, waiting, released], 'waiting runs are active; oldest first');
    assert.deepEqual((await store.listRuns({ status: ['waiting'], limit: 10 })).runs, [waiting]);

    const nowQueued = { ...waiting, status: 'queued' as const, causes: [parents[0]!.id] };
    const lateDone = { ...late, status: 'succeeded' as const, finishedAt: 9000 };
    await store.write(epoch, [{ op: 'update-run', run: nowQueued }, { op: 'update-run', run: lateDone }]);
    assert.deepEqual(await store.getRun(waiting.id), nowQueued);
    assert.deepEqual((await store.listRuns({ job: 'child', limit: 10 })).runs, [released, nowQueued, lateDone]);
    assert.deepEqual((await store.listRuns({ status: ['waiting'], limit: 10 })).runs, []);
    assert.deepEqual((await store.loadState()).activeRuns, [nowQueued, released]);
    const finished = { ...nowQueued, status: 'skipped' as const, finishedAt: 9500 };
    await store.write(epoch, [{ op: 'claim-run', run: { ...finished, id: 'other', key: 'k:other', status: 'waiting' } }, { op: 'update-run', run: finished }]);
    assert.deepEqual((await store.loadState()).activeRuns.map((r) => r.id), ['other', released.id], 'a waiting claim is active, a finished update is not');
    await store.close();
  });

  test('jobs keep their progress: put-job writes it, set-progress changes only it, unknown jobs are ignored', async () => {
    const store = await open();
    const epoch = await store.beginEpoch('a', 0);
    const progress: JobProgress = {
      lastSuccess: { runId: 'r-1', finishedAt: 5000 },
      lastOutcome: { runId: 'r-2', status: 'failed', finishedAt: 6000 },
      consumed: { parent: 'p-1', 'other.parent': 'p-2' },
    };
    await store.write(epoch, [{ op: 'put-job', job: { ...storedJob('p'), progress } }, { op: 'put-job', job: storedJob('plain') }]);
    assert.deepEqual(await store.getJob('p'), { ...storedJob('p'), progress });
    assert.deepEqual((await store.getJob('plain'))!.progress, NO_PROGRESS);

    const next: JobProgress = { lastSuccess: { runId: 'r-3', finishedAt: 7000 }, lastOutcome: { runId: 'r-3', status: 'succeeded', finishedAt: 7000 }, consumed: {} };
    await store.write(epoch, [
      { op: 'set-progress', job: 'p', progress: next },
      { op: 'set-cursor', job: 'p', cursor: 8000 },
      { op: 'set-progress', job: 'ghost', progress: next },
    ]);
    assert.deepEqual(await store.getJob('p'), { ...storedJob('p', 8000), progress: next }, 'cursor and progress each changed only their own field');
    assert.equal(await store.getJob('ghost'), null, 'set-progress of an unknown job creates nothing');

    const replaced = { ...storedJob('p', 9000), spec: spec('p', { schedule: '@daily' }), createdAt: 40, updatedAt: 41, progress };
    await store.write(epoch, [{ op: 'put-job', job: replaced }]);
    assert.deepEqual(await store.getJob('p'), { ...replaced, createdAt: 1 }, 'put-job writes the whole job but createdAt');
    assert.deepEqual((await store.loadState()).jobs, [{ ...replaced, createdAt: 1 }, storedJob('plain')]);
    assert.deepEqual(await store.listJobs(), [{ ...replaced, createdAt: 1 }, storedJob('plain')]);
    await store.close();
  });

  test('owners: put creates or replaces by name (createdAt kept), listed by name; delete ignores unknown names', async () => {
    const store = await open();
    const epoch = await store.beginEpoch('a', 0);
    const data = owner('data-team', { slackWebhook: 'https://hooks.slack.com/services/x', notifyOn: ['failure', 'late'], optOut: ['noisy'] });
    const alpha = owner('alpha-ops', { mute: '2030-01-01T00:00:00Z', webhook: { url: 'https://ops.example.com/h', secret: 's3' } });
    await store.write(epoch, [{ op: 'put-owner', owner: data }, { op: 'put-owner', owner: alpha }]);
    assert.deepEqual(await store.listOwners(), [alpha, data]);
    assert.deepEqual(await store.getOwner('data-team'), data);
    assert.equal(await store.getOwner('nobody'), null);

    const changed = owner('data-team', { email: ['a@example.com', 'b@example.com'], mute: true }, { createdAt: 70, updatedAt: 80 });
    await store.write(epoch, [{ op: 'put-owner', owner: changed }, { op: 'delete-owner', name: 'alpha-ops' }, { op: 'delete-owner', name: 'nobody' }]);
    assert.deepEqual(await store.getOwner('data-team'), { ...changed, createdAt: 1 });
    assert.equal(await store.getOwner('alpha-ops'), null);
    assert.deepEqual((await store.loadState()).owners, [{ ...changed, createdAt: 1 }]);
    await store.close();
  });

  test('notices: the outbox keeps the order they were put in; a notice put again is left as it is', async () => {
    const store = await open();
    const epoch = await store.beginEpoch('a', 0);
    // Ids out of any sort order, all decided at the same time: only the order of the puts counts.
    const first = [notice('z-1'), notice('n/2:late@data-team', { kind: 'late', run: null, sla: { rule: 'maxDuration', limitMs: 60_000 } }), notice('a-3')];
    const pagerduty = { ...notice('m-4'), target: { channel: 'pagerduty' as const, routingKey: 'R0UT1NG', action: 'resolve' as const, dedupKey: 'job/j' } };
    const email = { ...notice('..'), target: { channel: 'email' as const, to: ['oncall@example.com'] } };
    await store.write(epoch, first.map((n) => ({ op: 'put-notice' as const, notice: n })));
    await store.write(epoch, [
      { op: 'put-notice', notice: pagerduty },
      { op: 'put-notice', notice: { ...first[0]!, facts: { ...first[0]!.facts, kind: 'success' } } },
      { op: 'put-notice', notice: email },
    ]);
    assert.deepEqual((await store.loadState()).notices, [...first, pagerduty, email]);

    await store.write(epoch, [{ op: 'delete-notice', id: 'a-3' }, { op: 'delete-notice', id: 'never-put' }, { op: 'put-notice', notice: notice('b-6') }]);
    assert.deepEqual((await store.loadState()).notices.map((n) => n.id), ['z-1', 'n/2:late@data-team', 'm-4', '..', 'b-6']);
    await store.close();
  });

  test('a batch of many notices, more than one etcd transaction holds, keeps its order', async () => {
    const store = await open();
    const epoch = await store.beginEpoch('a', 0);
    const ids = Array.from({ length: 300 }, (_, i) => `n-${String((i * 7919) % 1000).padStart(3, '0')}`);
    await store.write(epoch, [
      { op: 'put-job', job: storedJob('j') },
      ...ids.map((id) => ({ op: 'put-notice' as const, notice: notice(id) })),
      { op: 'set-cursor', job: 'j', cursor: 5 },
    ]);
    assert.deepEqual((await store.loadState()).notices.map((n) => n.id), ids);
    assert.equal((await store.getJob('j'))!.cursor, 5);
    await store.close();
  });

  test('a deposed epoch cannot write progress, owners or notices, nor claim a waiting run', async () => {
    const store = await open();
    const old = await store.beginEpoch('a', 0);
    await store.write(old, [{ op: 'put-job', job: storedJob('j') }, { op: 'put-owner', owner: owner('o') }, { op: 'put-notice', notice: notice('n') }]);
    const current = await store.beginEpoch('b', 1);
    const refused: StoreOp[] = [
      { op: 'set-progress', job: 'j', progress: { ...NO_PROGRESS, consumed: { p: 'x' } } },
      { op: 'put-owner', owner: owner('o2') },
      { op: 'delete-owner', name: 'o' },
      { op: 'put-notice', notice: notice('n2') },
      { op: 'put-notice', notice: notice('n') },
      { op: 'delete-notice', id: 'n' },
      { op: 'claim-run', run: run('j', { status: 'waiting' }) },
    ];
    for (const op of refused) await assert.rejects(store.write(old, [op]), FencedError, op.op);
    const state = await store.loadState();
    assert.deepEqual(state.jobs, [storedJob('j')]);
    assert.deepEqual(state.owners, [owner('o')]);
    assert.deepEqual(state.notices, [notice('n')]);
    assert.deepEqual(state.activeRuns, []);
    await store.write(current, [{ op: 'delete-notice', id: 'n' }]);
    assert.deepEqual((await store.loadState()).notices, []);
    await store.close();
  });
}
