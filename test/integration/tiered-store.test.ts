/**
 * ZooKeeper and etcd keep a bounded history; with a history store (`--history-store`) the
 * runs they let go live on in SQLite or PostgreSQL. Real servers throughout: the Store
 * contract on both pairings, history past the cap, the copy a new leader makes, deletes
 * and pruning across both tiers, and the archive going away and coming back.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Run } from '../../src/core/types.js';
import { ArchiveOutbox } from '../../src/store/history/archive-outbox.js';
import { TieredStore } from '../../src/store/history/tiered-store.js';
import { openStore } from '../../src/store/open-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { RunArchive, Store } from '../../src/store/types.js';
import { etcdUnavailable, startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { eventually, tempDir } from '../helpers/server-process.js';
import { run, storeContract, storedJob } from '../helpers/store-contract.js';
import { startZooKeeper, zooKeeperUnavailable, type ZooKeeperServer } from '../helpers/zookeeper.js';

const unavailable = zooKeeperUnavailable() ?? etcdUnavailable() ?? postgresUnavailable();

describe('history store behind ZooKeeper and etcd', { skip: unavailable ?? false }, () => {
  let zk: ZooKeeperServer;
  let etcd: EtcdServer;
  let postgres: PostgresServer;
  const dir = tempDir('moroccron-tiered-');
  const warnings: string[] = [];
  const opened: Store[] = [];
  let n = 0;

  const etcdUrl = (query = '') => `etcd://${etcd.hostPort}/tiered-${++n}${query}`;
  const zkUrl = (query = '') => `zk://${zk.connectString}/tiered-${++n}${query}`;
  const sqliteUrl = () => `sqlite:${join(dir.path, `history-${++n}.db`)}`;
  const postgresUrl = () => `${postgres.url}?schema=history_${++n}`;
  const tiered = async (primary: string, history: string): Promise<TieredStore> => {
    const store = await openStore(primary, { historyUrl: history, warn: (message) => warnings.push(message) });
    assert.ok(store instanceof TieredStore);
    opened.push(store);
    return store;
  };
  // Every other run was caused by another and late, so the archive is seen to keep both.
  const finished = (job: string, i: number, fields: Partial<Run> = {}): Run =>
    run(job, { key: `s:${i}`, scheduledAt: 1000 * i, status: 'succeeded', exitCode: 0, finishedAt: 1000 * i + 500, causes: i % 2 ? [`parent-${i}`] : [], late: i % 2 === 1, ...fields });
  const allRuns = async (store: Store, job: string, pageSize: number): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<Store['listRuns']>> = await store.listRuns({ job, limit: pageSize, ...(cursor ? { cursor } : {}) });
      ids.push(...page.runs.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  };

  before(async () => {
    [zk, etcd, postgres] = await Promise.all([startZooKeeper(), startEtcd(), startPostgres()]);
  });
  after(async () => {
    await Promise.allSettled(opened.map((s) => s.close()));
    await Promise.allSettled([zk?.stop(), etcd?.stop(), postgres?.stop()]);
    dir.remove();
  });

  storeContract('etcd with a SQLite history store', () => tiered(etcdUrl(), sqliteUrl()));
  storeContract('ZooKeeper with a PostgreSQL history store', () => tiered(zkUrl(), postgresUrl()));

  for (const [name, primaryUrl, historyUrl] of [
    ['etcd + SQLite', () => etcdUrl('?history=3'), sqliteUrl],
    ['ZooKeeper + PostgreSQL', () => zkUrl('?history=3'), postgresUrl],
  ] as const) {
    test(`${name}: runs past the cap stay listed, paged and readable; their files are kept`, async () => {
      const store = await tiered(primaryUrl(), historyUrl());
      const epoch = await store.beginEpoch('a', 0);
      await store.write(epoch, [{ op: 'put-job', job: storedJob('busy') }]);
      const runs = Array.from({ length: 10 }, (_, i) => finished('busy', i + 1));
      const evicted: string[] = [];
      for (const r of runs) {
        const queued = { ...r, status: 'running' as const, finishedAt: null, exitCode: null };
        const result = await store.write(epoch, [{ op: 'claim-run', run: queued }, { op: 'update-run', run: r }]);
        evicted.push(...result.evictedRunIds, ...result.removedRunIds);
      }
      await store.settled();
      assert.deepEqual(evicted, [], 'a run past the cap lives on in the archive, so its files are not removed');
      const primaryHolds = (await store.primary.listRuns({ job: 'busy', limit: 100 })).runs.map((r) => r.id);
      assert.deepEqual(primaryHolds, runs.slice(-3).reverse().map((r) => r.id), 'the primary keeps only its cap');
      const newestFirst = runs.map((r) => r.id).reverse();
      assert.deepEqual(await allRuns(store, 'busy', 4), newestFirst, 'pages of 4 cover all 10 once, newest first');
      assert.deepEqual(await allRuns(store, 'busy', 100), newestFirst);
      assert.deepEqual(await store.getRun(runs[0]!.id), runs[0], 'the oldest run reads back whole');
      const failedOnly = await store.listRuns({ status: ['failed'], limit: 10 });
      assert.equal(failedOnly.runs.length, 0);
      assert.equal((await store.listRuns({ since: 9000, limit: 10 })).runs.length, 2);
    });
  }

  test('a new leader copies the finished runs the archive missed (a crash between the two writes)', async () => {
    const primaryUrl = etcdUrl('?history=50');
    const historyUrl = postgresUrl();
    const first = await tiered(primaryUrl, historyUrl);
    const epoch = await first.beginEpoch('a', 0);
    const runs = Array.from({ length: 7 }, (_, i) => finished('copied', i + 1));
    // Written past the archive, as if the leader died before delivering them.
    await first.primary.write(epoch, [{ op: 'put-job', job: storedJob('copied') }, ...runs.map((r) => ({ op: 'claim-run' as const, run: r }))]);
    const archive = (first as TieredStore).archive;
    assert.equal((await archive.listRuns({ job: 'copied', limit: 100 })).runs.length, 0);
    const next = await tiered(primaryUrl, historyUrl);
    await next.beginEpoch('b', 1);
    await next.loadState();
    await next.settled();
    assert.deepEqual((await archive.listRuns({ job: 'copied', limit: 100 })).runs.map((r) => r.id).sort(), runs.map((r) => r.id).sort());
  });

  test('deleting a job removes its runs from both tiers at once and reports every one so files can go', async () => {
    const store = await tiered(zkUrl('?history=2'), sqliteUrl());
    const epoch = await store.beginEpoch('a', 0);
    const runs = Array.from({ length: 6 }, (_, i) => finished('doomed', i + 1));
    const keep = finished('kept', 1);
    await store.write(epoch, [{ op: 'put-job', job: storedJob('doomed') }, ...[...runs, keep].map((r) => ({ op: 'claim-run' as const, run: r }))]);
    await store.settled();
    const deleted = await store.write(epoch, [{ op: 'delete-job', name: 'doomed' }]);
    assert.equal(await store.getRun(runs[0]!.id), null, 'an archived run of the deleted job is not shown, even before the archive forgets it');
    assert.deepEqual(await allRuns(store, 'doomed', 10), []);
    await store.settled();
    const later = await store.write(epoch, [{ op: 'put-meta', key: 'x', value: 'y' }]);
    // The primary's at once, the archive's with the next write (a run in both is named twice; forgetting is idempotent).
    const reported = [...new Set([...deleted.removedRunIds, ...later.removedRunIds])].sort();
    assert.deepEqual(reported, runs.map((r) => r.id).sort());
    assert.ok(runs.slice(0, 4).every((r) => later.removedRunIds.includes(r.id)), 'runs only the archive held are reported too');
    assert.deepEqual(await allRuns(store, 'kept', 10), [keep.id]);
  });

  test('prune-runs applies the history limit to both tiers: the primary in the batch, the archive behind its deliveries', async () => {
    const store = await tiered(etcdUrl('?history=5'), sqliteUrl());
    const epoch = await store.beginEpoch('a', 0);
    const runs = Array.from({ length: 10 }, (_, i) => finished('aging', i + 1));
    const ids = (from: number, to?: number) => runs.slice(from, to).map((r) => r.id).sort();
    await store.write(epoch, runs.map((r) => ({ op: 'claim-run' as const, run: r })));
    await store.settled();
    const byCount = await store.write(epoch, [{ op: 'prune-runs', job: 'aging', keep: 3, maxAgeMs: 1e12, now: 100_000 }]);
    assert.deepEqual(byCount.removedRunIds.sort(), ids(5, 7), 'the primary held the newest 5: two of them go at once');
    const shown = await allRuns(store, 'aging', 100);
    assert.ok(!shown.some((id) => byCount.removedRunIds.includes(id)), 'runs reported removed are not shown, even before the archive prunes them');
    await store.settled();
    const next = await store.write(epoch, [{ op: 'put-meta', key: 'x', value: 'y' }]);
    assert.deepEqual(next.removedRunIds.sort(), ids(0, 5), 'the runs only the archive held follow with the next write, none twice');
    // finished before 12000 - 3000: run 7 (8500), not 8 (9500) nor 9 (10500)
    const byAge = await store.write(epoch, [{ op: 'prune-runs', job: 'aging', keep: 100, maxAgeMs: 3000, now: 12_000 }]);
    assert.deepEqual(byAge.removedRunIds, [runs[7]!.id]);
    await store.settled();
    assert.deepEqual((await store.write(epoch, [{ op: 'put-meta', key: 'x', value: 'z' }])).removedRunIds, []);
    assert.deepEqual(await allRuns(store, 'aging', 3), [runs[9]!.id, runs[8]!.id]);
  });

  test('while the archive is away, prunes of a job wait as one and apply after the runs queued before them', async () => {
    const sqlite = new SqliteStore(join(dir.path, `outbox-${++n}.db`));
    let away = true;
    let prunes = 0;
    const archive: RunArchive = {
      description: sqlite.description,
      archiveRuns: (runs) => (away ? Promise.reject(new Error('archive away')) : sqlite.archiveRuns(runs)),
      pruneArchive: (job, limit, now) => {
        if (away) return Promise.reject(new Error('archive away'));
        prunes++;
        return sqlite.pruneArchive(job, limit, now);
      },
      archivedIds: (ids) => sqlite.archivedIds(ids),
      forgetJob: (job) => sqlite.forgetJob(job),
      getRun: (id) => sqlite.getRun(id),
      listRuns: (query) => sqlite.listRuns(query),
      close: () => sqlite.close(),
    };
    const outbox = new ArchiveOutbox(archive, { warn: () => {}, retryFirstMs: 20, retryMaxMs: 20 });
    try {
      const runs = Array.from({ length: 6 }, (_, i) => finished('waiting', i + 1));
      await outbox.send(runs.slice(0, 3).map((run) => ({ kind: 'keep', run })));
      const prune = (keep: number, reported: string[]) => ({ kind: 'prune' as const, job: 'waiting', limit: { keep, maxAgeMs: 1e12 }, now: 10_000, reported: new Set(reported) });
      await outbox.send([prune(4, [runs[0]!.id])]);
      await outbox.send([...runs.slice(3).map((run) => ({ kind: 'keep' as const, run })), prune(2, [runs[1]!.id])]);
      assert.equal(outbox.pendingRunIds().size, 6);
      away = false;
      await eventually(async () => (outbox.pendingRunIds().size === 0 ? true : undefined), 5000, 'the backlog to land');
      await outbox.serial(async () => {});
      assert.equal(prunes, 1, 'the later prune of the job replaced the waiting one');
      assert.deepEqual(outbox.takeLetGo().sort(), runs.slice(2, 4).map((r) => r.id).sort(), 'the runs either primary write reported are not named again');
      assert.deepEqual((await sqlite.listRuns({ job: 'waiting', limit: 10 })).runs.map((r) => r.id), [runs[5]!.id, runs[4]!.id]);
      assert.deepEqual(outbox.takeLetGo(), []);
    } finally {
      await outbox.close();
      await sqlite.close();
    }
  });

  test('with the archive down the scheduler carries on, reads fall back to the primary, and the backlog lands later', async () => {
    const store = await tiered(etcdUrl('?history=2'), postgresUrl());
    const epoch = await store.beginEpoch('a', 0);
    await store.write(epoch, [{ op: 'put-job', job: storedJob('outage') }]);
    const before = finished('outage', 1);
    await store.write(epoch, [{ op: 'claim-run', run: before }]);
    await store.settled();
    warnings.length = 0;
    await postgres.down();
    const during = Array.from({ length: 5 }, (_, i) => finished('outage', i + 2));
    try {
      for (const r of during) {
        const started = Date.now();
        await store.write(epoch, [{ op: 'claim-run', run: r }]);
        assert.ok(Date.now() - started < 1000, 'a write does not wait on the archive');
      }
      assert.equal(store.backlog, during.length, 'the undelivered runs wait (and /metrics shows how many)');
      const listed = await store.listRuns({ job: 'outage', limit: 10 });
      assert.deepEqual(listed.runs.map((r) => r.id), during.slice(-2).reverse().map((r) => r.id), 'the primary answers alone');
      assert.ok(warnings.some((w) => /unreachable/.test(w)), warnings.join('\n'));
    } finally {
      await postgres.up();
    }
    const expected = [...during].reverse().map((r) => r.id).concat(before.id);
    await eventually(async () => ((await allRuns(store, 'outage', 10)).join() === expected.join() ? true : undefined), 40_000, 'the backlog to reach the archive');
    assert.equal(store.backlog, 0);
    assert.ok(warnings.some((w) => /reachable again/.test(w)), warnings.join('\n'));
  });

  test('URLs: a history store only behind ZooKeeper or etcd, and only SQLite or PostgreSQL', async () => {
    await assert.rejects(openStore(sqliteUrl(), { historyUrl: sqliteUrl() }), /sqlite keeps full history itself/);
    await assert.rejects(openStore(postgresUrl(), { historyUrl: sqliteUrl() }), /postgres keeps full history itself/);
    await assert.rejects(openStore(etcdUrl(), { historyUrl: etcdUrl() }), /must be sqlite:PATH or postgres/);
    const store = await tiered(etcdUrl(), sqliteUrl());
    assert.match(store.description, /^etcd:\/\/.*\(history: sqlite:.*\)$/);
  });
});
