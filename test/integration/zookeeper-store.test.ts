/**
 * The ZooKeeper store against a real server: the shared Store contract (a fresh base path
 * per store), a burst of 1000 claims in one write, the per-job history cap, znode sizes and
 * the audit log's bounds.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Run } from '../../src/core/types.js';
import { MAX_RUN_TEXT, MAX_ZNODE_BYTES } from '../../src/store/zookeeper/codec.js';
import { ZkCode, ZkError, ZkSession, type ZkOp } from '../../src/store/zookeeper/zk-session.js';
import { ZooKeeperStore, openZooKeeperStore } from '../../src/store/zookeeper/zookeeper-store.js';
import { FencedError } from '../../src/store/types.js';
import { auditBoundsTests } from '../helpers/store-audit-bounds.js';
import { run, storeContract, storedJob } from '../helpers/store-contract.js';
import { notice } from '../helpers/store-fixtures.js';
import { startZooKeeper, zooKeeperUnavailable, type ZooKeeperServer } from '../helpers/zookeeper.js';

const unavailable = zooKeeperUnavailable();
let zk: ZooKeeperServer;
let n = 0;
const freshUrl = (query = '') => `zk://${zk.connectString}/moroccron-test/store-${++n}${query}`;

before(async () => {
  if (!unavailable) zk = await startZooKeeper();
});
after(async () => {
  await zk?.stop();
});

if (!unavailable) storeContract('zookeeper', async () => openZooKeeperStore(freshUrl()));

const skip = unavailable ?? false;

/** Every znode under `path` with its data size, depth first. */
async function walk(session: ZkSession, path: string, out: { path: string; bytes: number; children: number }[] = []) {
  const node = await session.get(path);
  const children = await session.children(path);
  out.push({ path, bytes: node?.data.length ?? 0, children: children.length });
  for (const child of children) await walk(session, `${path}/${child}`, out);
  return out;
}

test('URLs: hosts, path and history; credentials are not in the description', { skip }, () => {
  const store = new ZooKeeperStore('zk://u:secret@h1:2181,h2:2181/moroccron?history=20');
  assert.equal(store.description, 'zk://h1:2181,h2:2181/moroccron?history=20');
  assert.equal(store.history, 20);
  assert.equal(new ZooKeeperStore('zk://h1:2181/m').history, 100);
  assert.throws(() => new ZooKeeperStore('zk://h1:2181/m?history=0'), /history/);
  assert.throws(() => new ZooKeeperStore('zk://h1:2181/m?keep=3'), /unknown parameter/);
  assert.throws(() => new ZooKeeperStore('http://h1:2181/m'), /not a ZooKeeper URL/);
});

test('a burst of 1000 claims is one write; a repeated burst is refused claim by claim', { skip }, async () => {
  const store = await openZooKeeperStore(freshUrl());
  try {
    const epoch = await store.beginEpoch('a', 0);
    const burst = Array.from({ length: 1000 }, (_, i) => run('burst', { key: `s:${i}`, scheduledAt: i, reason: null }));
    const multi = ZkSession.prototype.multi;
    const multis: number[] = [];
    ZkSession.prototype.multi = function (ops) {
      multis.push(ops.length);
      return multi.call(this, ops);
    };
    const started = Date.now();
    const result = await store.write(epoch, burst.map((r) => ({ op: 'claim-run' as const, run: r }))).finally(() => (ZkSession.prototype.multi = multi));
    const tookMs = Date.now() - started;
    assert.deepEqual(multis, [1 + 2 + 3 * 1000], 'one multi: the epoch check, two dirs, and run + key + active entry per claim');
    assert.equal(result.accepted.length, 1000);
    assert.ok(tookMs < 5000, `took ${tookMs} ms`);
    const again = burst.slice(0, 10).map((r) => run('burst', { key: r.key }));
    const fresh = run('burst', { key: 's:new' });
    const mixed = await store.write(epoch, [...again, fresh].map((r) => ({ op: 'claim-run' as const, run: r })));
    assert.deepEqual(mixed.refused, again.map((r) => r.id));
    assert.deepEqual(mixed.accepted, [fresh.id], 'the free claim still lands');
    assert.equal((await store.loadState()).activeRuns.length, 1001);
    const later = await store.beginEpoch('b', 1);
    await assert.rejects(store.write(epoch, [{ op: 'claim-run', run: run('burst', { key: 's:late' }) }]), (e: unknown) => e instanceof FencedError && e.current === later);
  } finally {
    await store.close();
  }
});

test('history cap: a job keeps at most N finished runs in ZooKeeper, oldest pruned on write', { skip }, async () => {
  const store = await openZooKeeperStore(freshUrl('?history=5'));
  try {
    const epoch = await store.beginEpoch('a', 0);
    await store.write(epoch, [{ op: 'put-job', job: storedJob('capped') }]);
    const running = run('capped', { key: 's:running', scheduledAt: 0, status: 'running' });
    await store.write(epoch, [{ op: 'claim-run', run: running }]);
    const removed: string[] = [];
    const finished: Run[] = [];
    for (let i = 0; i < 12; i++) {
      const r = run('capped', { key: `s:${i}`, scheduledAt: 1000 * (i + 1) });
      await store.write(epoch, [{ op: 'claim-run', run: r }]);
      const done = { ...r, status: 'failed' as const, exitCode: 1, finishedAt: 1000 * (i + 1) + 1, reason: 'x'.repeat(50_000) };
      finished.push(done);
      removed.push(...(await store.write(epoch, [{ op: 'update-run', run: done }])).evictedRunIds);
    }
    const kept = (await store.listRuns({ job: 'capped', limit: 100 })).runs;
    assert.deepEqual(kept.map((r) => r.id), [...finished.slice(-5).reverse().map((r) => r.id), running.id], 'the newest 5 finished plus the unfinished one');
    assert.deepEqual(removed.sort(), finished.slice(0, 7).map((r) => r.id).sort(), 'evicted runs are reported so their files can go (or an archive keeps them)');
    assert.ok(kept[0]!.reason!.length <= 2000, 'long reasons are cut');
    // Pruned runs release their claim keys: no znodes pile up under keys/.
    const session = await ZkSession.open(zk.connectString, { sessionTimeoutMs: 4000 });
    try {
      const base = `/moroccron-test/store-${n}`;
      assert.equal((await session.children(`${base}/keys/capped`)).length, 6);
      assert.equal((await session.children(`${base}/runs/capped`)).length, 6);
    } finally {
      await session.close();
    }
  } finally {
    await store.close();
  }
});

test('no znode grows: every run is its own small znode, whatever the history', { skip }, async () => {
  const url = freshUrl('?history=50');
  const store = await openZooKeeperStore(url);
  try {
    const epoch = await store.beginEpoch('a', 0);
    await store.write(epoch, [{ op: 'put-job', job: storedJob('chatty') }, { op: 'put-meta', key: 'mesos.frameworkId', value: 'f-1' }]);
    for (let batch = 0; batch < 4; batch++) {
      const runs = Array.from({ length: 50 }, (_, i) =>
        run('chatty', { key: `s:${batch}:${i}`, scheduledAt: batch * 100 + i, status: 'failed', finishedAt: 1, reason: `exit 1: ${'e'.repeat(10_000)}` }),
      );
      await store.write(epoch, runs.map((r) => ({ op: 'claim-run' as const, run: r })));
    }
    const session = await ZkSession.open(zk.connectString, { sessionTimeoutMs: 4000 });
    try {
      const nodes = await walk(session, `/moroccron-test/store-${n}`);
      const biggest = Math.max(...nodes.map((z) => z.bytes));
      assert.ok(biggest < 4096, `the biggest znode holds ${biggest} bytes`);
      assert.ok(biggest < MAX_ZNODE_BYTES);
      const runDir = nodes.find((z) => z.path.endsWith('/runs/chatty'))!;
      assert.equal(runDir.children, 50, 'history cap of 50');
      assert.ok(nodes.length < 200, `${nodes.length} znodes in all`);
    } finally {
      await session.close();
    }
  } finally {
    await store.close();
  }
});

test('a batch cut between its multis, replayed, lands whole: a claim key without its run gets the run', { skip }, async () => {
  const store = await openZooKeeperStore(freshUrl());
  try {
    const epoch = await store.beginEpoch('a', 0);
    // Labels of ~2.5 KB make 400 claims about 1 MB: two multis.
    const labels = { note: 'n'.repeat(2500) };
    const claims = Array.from({ length: 400 }, (_, i) => run('split', { id: `split-${String(i).padStart(3, '0')}`, key: `s:${i}`, scheduledAt: i, labels }));
    const batch = claims.map((r) => ({ op: 'claim-run' as const, run: r }));
    const multi = ZkSession.prototype.multi;
    const sent: ZkOp[][] = [];
    ZkSession.prototype.multi = function (ops) {
      sent.push(ops);
      if (sent.length === 1) return multi.call(this, ops);
      return Promise.reject(new ZkError(ZkCode.CONNECTION_LOSS, 'injected: connection lost before the second multi'));
    };
    await assert.rejects(store.write(epoch, batch), ZkError).finally(() => (ZkSession.prototype.multi = multi));
    const firstMulti = sent[0]!;
    const lastKey = firstMulti.findLast((op) => op.path.includes('/keys/split/'))!;
    const cutClaim = claims.find((r) => lastKey.path.endsWith(`/${encodeURIComponent(r.key)}`))!;
    assert.ok(!firstMulti.some((op) => op.path.endsWith(`/runs/split/${cutClaim.id}`)), 'the cut fell between a claim key and its run');
    assert.equal(await store.getRun(cutClaim.id), null);
    const replayed = await store.write(epoch, batch);
    assert.deepEqual(replayed.accepted, claims.map((r) => r.id));
    assert.deepEqual(await store.getRun(cutClaim.id), cutClaim);
    assert.equal((await store.loadState()).activeRuns.length, 400);
  } finally {
    await store.close();
  }
});

test('a run stored without labels, causes or late (before they existed) reads back with the defaults, which are not stored', { skip }, async () => {
  const url = freshUrl();
  const store = await openZooKeeperStore(url);
  const session = await ZkSession.open(zk.connectString, { sessionTimeoutMs: 4000 });
  try {
    const epoch = await store.beginEpoch('a', 0);
    const stored = run('old');
    await store.write(epoch, [{ op: 'claim-run', run: stored }]);
    const path = `/moroccron-test/store-${n}/runs/old/${stored.id}`;
    const fields = Object.keys(JSON.parse((await session.get(path))!.data.toString()));
    assert.deepEqual(fields.filter((f) => ['labels', 'causes', 'late'].includes(f)), []);
    assert.deepEqual(await store.getRun(stored.id), stored);
    const labelled = { ...stored, labels: { team: 'x' }, causes: ['p-1'], late: true };
    await store.write(epoch, [{ op: 'update-run', run: labelled }]);
    assert.deepEqual(await store.getRun(stored.id), labelled);
  } finally {
    await session.close();
    await store.close();
  }
});

test('a job stored before progress existed reads back with none, and keeps it when rewritten', { skip }, async () => {
  const store = await openZooKeeperStore(freshUrl());
  const session = await ZkSession.open(zk.connectString, { sessionTimeoutMs: 4000 });
  try {
    const epoch = await store.beginEpoch('a', 0);
    const job = storedJob('old');
    await store.write(epoch, [{ op: 'put-job', job }]);
    const { progress: _, ...before } = job;
    await session.setData(`/moroccron-test/store-${n}/jobs/old`, Buffer.from(JSON.stringify(before)));
    assert.deepEqual(await store.getJob('old'), job);
    assert.deepEqual((await store.loadState()).jobs, [job]);
    await store.write(epoch, [{ op: 'set-cursor', job: 'old', cursor: 5 }]);
    assert.deepEqual(await store.getJob('old'), { ...job, cursor: 5 });
  } finally {
    await session.close();
    await store.close();
  }
});

test('a notice is one small znode named by its id: its run\'s long reason is cut as a run\'s is', { skip }, async () => {
  const store = await openZooKeeperStore(freshUrl());
  const session = await ZkSession.open(zk.connectString, { sessionTimeoutMs: 4000 });
  try {
    const epoch = await store.beginEpoch('a', 0);
    const long = notice('n/1', { run: { ...notice('x').facts.run!, reason: 'e'.repeat(50_000) } });
    await store.write(epoch, [{ op: 'put-notice', notice: long }]);
    const [stored] = (await store.loadState()).notices;
    const cut = `${'e'.repeat(MAX_RUN_TEXT - 1)}…`;
    assert.deepEqual(stored, { ...long, facts: { ...long.facts, run: { ...long.facts.run!, reason: cut } } });
    const dir = `/moroccron-test/store-${n}/notices`;
    assert.deepEqual(await session.children(dir), ['n%2F1']);
    assert.ok((await session.get(`${dir}/n%2F1`))!.data.length < 4096);
  } finally {
    await session.close();
    await store.close();
  }
});

auditBoundsTests(
  'ZooKeeper',
  async () => {
    const store = await openZooKeeperStore(freshUrl());
    const dir = `/moroccron-test/store-${n}/audit`;
    const session = await ZkSession.open(zk.connectString, { sessionTimeoutMs: 4000 });
    return {
      store,
      countEntries: () => session.childCount(dir),
      close: async () => {
        await session.close();
        await store.close();
      },
    };
  },
  skip,
);
