/** The etcd store against a real etcd: the shared Store contract, plus its etcd-specific limits (history, the audit log's bounds). */
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { after, before, describe, test } from 'node:test';
import { EtcdStore, openEtcdStore } from '../../src/store/etcd/etcd-store.js';
import { parseEtcdUrl } from '../../src/store/etcd/url.js';
import { FencedError } from '../../src/store/types.js';
import { etcdUnavailable, startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { auditBoundsTests } from '../helpers/store-audit-bounds.js';
import { run, storeContract, storedJob } from '../helpers/store-contract.js';

const skip = etcdUnavailable();

describe('etcd store', { skip: skip ?? false }, () => {
  let etcd: EtcdServer;
  const opened: EtcdStore[] = [];
  let n = 0;
  const fresh = async (query = ''): Promise<EtcdStore> => {
    const store = await openEtcdStore(`etcd://${etcd.hostPort}/moroccron-test/${++n}${query}`);
    opened.push(store);
    return store;
  };

  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    // close() twice is harmless; the contract closes most of them itself.
    await Promise.all(opened.map((s) => s.close()));
    await etcd.stop();
  });

  storeContract('etcd', () => fresh());

  test('a burst of 1000 claims spans several fenced transactions and lands whole', async () => {
    const store = await fresh();
    const epoch = await store.beginEpoch('a', 0);
    const burst = Array.from({ length: 1000 }, (_, i) => ({ op: 'claim-run' as const, run: run('burst', { key: `s:${i}`, scheduledAt: 1000 + i }) }));
    const result = await store.write(epoch, [...burst, { op: 'set-cursor', job: 'burst', cursor: 2000 }]);
    assert.equal(result.accepted.length, 1000);
    assert.equal(result.refused.length, 0);
    assert.equal((await store.loadState()).activeRuns.length, 1000);
    const replayed = await store.write(epoch, burst.slice(0, 300));
    assert.equal(replayed.accepted.length, 300, 'a replayed claim is its run\'s own');
    const rivals = await store.write(epoch, burst.slice(0, 300).map((c) => ({ op: 'claim-run' as const, run: run('burst', { key: c.run.key }) })));
    assert.equal(rivals.refused.length, 300, 'every claim of a held key by another run is refused');
    assert.equal((await store.loadState()).activeRuns.length, 1000);
    const newer = await store.beginEpoch('b', 1);
    await assert.rejects(store.write(epoch, burst), FencedError);
    const page = await store.listRuns({ job: 'burst', limit: 10 });
    assert.equal(page.runs[0]!.scheduledAt, 1999, 'newest first');
    assert.ok(newer > epoch);
  });

  test('history is capped per job in etcd: the oldest finished runs go, unfinished runs stay', async () => {
    const store = await fresh('?history=5');
    const epoch = await store.beginEpoch('a', 0);
    const active = run('capped', { key: 's:active', scheduledAt: 0, status: 'running' });
    await store.write(epoch, [{ op: 'put-job', job: storedJob('capped') }, { op: 'claim-run', run: active }]);
    const finished = Array.from({ length: 12 }, (_, i) =>
      run('capped', { key: `s:${i}`, scheduledAt: 1000 * (i + 1), status: 'succeeded', finishedAt: 1000 * (i + 1) + 1 }),
    );
    const removed: string[] = [];
    for (const r of finished) removed.push(...(await store.write(epoch, [{ op: 'claim-run', run: r }])).evictedRunIds);
    assert.deepEqual(removed.sort(), finished.slice(0, 7).map((r) => r.id).sort());
    // A run that finishes by update also counts.
    const result = await store.write(epoch, [{ op: 'update-run', run: { ...active, status: 'failed', finishedAt: 5 } }]);
    assert.deepEqual(result.evictedRunIds, [active.id], 'it is the oldest by scheduledAt');
    const left = (await store.listRuns({ job: 'capped', limit: 100 })).runs.map((r) => r.id);
    assert.deepEqual(left, finished.slice(7).reverse().map((r) => r.id));
    // The claim keys of removed runs go too: the space they took is given back.
    const again = await store.write(epoch, [{ op: 'claim-run', run: run('capped', { key: 's:0', scheduledAt: 1, status: 'skipped', finishedAt: 1 }) }]);
    assert.equal(again.accepted.length, 1);
  });

  test('description and URL: credentials hidden, several hosts, defaults and options', async () => {
    const config = parseEtcdUrl('etcd://user:s3cret@10.0.0.1:2379,10.0.0.2:2379/prod/cron?history=200');
    assert.equal(config.description, 'etcd://10.0.0.1:2379,10.0.0.2:2379/prod/cron');
    assert.deepEqual(config.auth, { username: 'user', password: 's3cret' });
    assert.deepEqual(config.hosts, ['10.0.0.1:2379', '10.0.0.2:2379']);
    assert.equal(config.history, 200);
    assert.equal(config.maxTxnOps, 128);
    assert.equal(parseEtcdUrl('etcd://h:1').prefix, '/moroccron');
    assert.equal(parseEtcdUrl('etcd://h:1/').history, 100);
    assert.throws(() => parseEtcdUrl('etcd://h/p'), /host:port/);
    assert.throws(() => parseEtcdUrl('etcd://h:1/p?history=0'), /history/);
    const store = await fresh();
    assert.equal(store.description, `etcd://${etcd.hostPort}/moroccron-test/${n}`);
    assert.ok(!JSON.stringify(store.description).includes('s3cret'));
  });

  test('a run stored without labels (before they existed) reads back with none', async () => {
    const store = await fresh();
    const epoch = await store.beginEpoch('a', 0);
    const stored = run('old', { status: 'succeeded', finishedAt: 2000 });
    await store.write(epoch, [{ op: 'claim-run', run: stored }]);
    const { labels: _, ...withoutLabels } = stored;
    const client = new Etcd3({ hosts: `http://${etcd.hostPort}` });
    try {
      await client.put(store.keys.run(stored.id)).value(JSON.stringify(withoutLabels));
    } finally {
      client.close();
    }
    assert.deepEqual(await store.getRun(stored.id), stored);
    assert.deepEqual((await store.listRuns({ job: 'old', limit: 10 })).runs, [stored]);
    const pruned = await store.write(epoch, [{ op: 'prune-runs', job: 'old', keep: 0, maxAgeMs: 1e12, now: 3000 }]);
    assert.deepEqual(pruned.removedRunIds, [stored.id]);
  });

  test('a job stored before progress, and a run before causes and late, read back with the defaults', async () => {
    const store = await fresh();
    const epoch = await store.beginEpoch('a', 0);
    const job = storedJob('old');
    const stored = run('old', { status: 'waiting' });
    await store.write(epoch, [{ op: 'put-job', job }, { op: 'claim-run', run: stored }]);
    const { progress: _p, ...jobBefore } = job;
    const { causes: _c, late: _l, ...runBefore } = stored;
    const client = new Etcd3({ hosts: `http://${etcd.hostPort}` });
    try {
      await client.put(store.keys.job('old')).value(JSON.stringify(jobBefore));
      await client.put(store.keys.run(stored.id)).value(JSON.stringify(runBefore));
    } finally {
      client.close();
    }
    assert.deepEqual(await store.loadState(), { jobs: [job], activeRuns: [stored], owners: [], notices: [] });
    assert.deepEqual(await store.getRun(stored.id), stored);
    assert.deepEqual(await store.getJob('old'), job);
    await store.write(epoch, [{ op: 'set-cursor', job: 'old', cursor: 5 }]);
    assert.deepEqual(await store.getJob('old'), { ...job, cursor: 5 }, 'rewritten with its progress');
  });

  test('a job with more runs than one transaction holds is deleted whole', async () => {
    const store = await fresh();
    const epoch = await store.beginEpoch('a', 0);
    const runs = Array.from({ length: 60 }, (_, i) => run('big', { key: `s:${i}`, scheduledAt: i, status: i % 2 ? 'running' : 'failed', finishedAt: i % 2 ? null : i }));
    await store.write(epoch, [{ op: 'put-job', job: storedJob('big') }, ...runs.map((r) => ({ op: 'claim-run' as const, run: r }))]);
    const result = await store.write(epoch, [{ op: 'delete-job', name: 'big' }]);
    assert.equal(result.removedRunIds.length, 60);
    assert.deepEqual(await store.loadState(), { jobs: [], activeRuns: [], owners: [], notices: [] });
    assert.equal((await store.listRuns({ limit: 10 })).runs.length, 0);
  });

  auditBoundsTests('etcd', async () => {
    const store = await fresh();
    const client = new Etcd3({ hosts: `http://${etcd.hostPort}` });
    return {
      store,
      countEntries: () => client.getAll().prefix(store.keys.audits).count(),
      close: async () => {
        client.close();
        await store.close();
      },
    };
  });
});

if (skip) test(`etcd store tests skipped: ${skip}`, { skip }, () => {});
