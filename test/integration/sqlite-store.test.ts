/** The SQLite store: the shared Store contract, plus its file-level behaviour. */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { ACTIVE_STATUSES } from '../../src/store/run-row.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openStore } from '../../src/store/open-store.js';
import { tempDir } from '../helpers/server-process.js';
import { run, spec, storeContract, storedJob } from '../helpers/store-contract.js';
import { mountSmallDisk, smallDiskUnavailable } from '../helpers/small-disk.js';

const dir = tempDir('moroccron-sqlite-');
after(() => dir.remove());
let n = 0;
const freshPath = () => join(dir.path, `store-${++n}`, 'moroccron.db');

storeContract('sqlite', async () => new SqliteStore(freshPath()));

test('the schema is migrated to the latest version, in WAL mode, and data survives reopening', async () => {
  const path = freshPath();
  const store = new SqliteStore(path);
  const epoch = await store.beginEpoch('a', 0);
  await store.write(epoch, [{ op: 'put-job', job: storedJob('kept') }, { op: 'claim-run', run: run('kept') }]);
  await store.close();
  const db = new Database(path, { readonly: true });
  assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
  const reopened = new SqliteStore(path);
  assert.equal((await reopened.listJobs()).length, 1);
  assert.equal((await reopened.loadState()).activeRuns.length, 1);
  assert.ok((await reopened.beginEpoch('b', 1)) > epoch, 'the epoch keeps rising across restarts');
  await reopened.close();
});

test('a database from a newer moroccron is refused with a clear message', () => {
  const path = freshPath();
  new SqliteStore(path).close();
  const db = new Database(path);
  db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  db.close();
  assert.throws(() => new SqliteStore(path), /newer than this moroccron knows/);
});

test('store URLs: sqlite:PATH opens; other schemes are refused by name', async () => {
  const store = await openStore(`sqlite:${freshPath()}`);
  assert.match(store.description, /^sqlite:\//);
  await store.close();
  await assert.rejects(openStore('sqlite:'), /needs a path/);
  await assert.rejects(openStore('mysql://h/db'), /unknown store URL/);
});

test('runs stored before migration 3 read back with no labels', async () => {
  const path = freshPath();
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.exec(MIGRATIONS[0]!);
  db.exec(MIGRATIONS[1]!);
  db.pragma('user_version = 2');
  db.prepare(`INSERT INTO runs (id, job, key, trigger, scheduled_at, claimed_at, attempt, status, root_id)
    VALUES ('old-run', 'j', 's:1', 'schedule', 1000, 1001, 1, 'queued', 'old-run')`).run();
  db.close();
  const store = new SqliteStore(path);
  assert.deepEqual(await store.getRun('old-run'), run('j', { id: 'old-run', key: 's:1' }));
  await store.close();
});

test('data stored before migrations 4 to 7 reads back with no causes, not late, no progress; waiting runs use the active index', async () => {
  const path = freshPath();
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  for (const sql of MIGRATIONS.slice(0, 3)) db.exec(sql);
  db.pragma('user_version = 3');
  db.prepare(`INSERT INTO jobs (name, spec, cursor, created_at, updated_at) VALUES ('old-job', ?, 1000, 1, 2)`).run(JSON.stringify(spec('old-job')));
  db.prepare(`INSERT INTO runs (id, job, key, trigger, scheduled_at, claimed_at, attempt, status, root_id)
    VALUES ('old-run', 'old-job', 's:1', 'schedule', 1000, 1001, 1, 'queued', 'old-run')`).run();
  db.close();
  const store = new SqliteStore(path);
  const oldRun = run('old-job', { id: 'old-run', key: 's:1' });
  assert.deepEqual(await store.loadState(), { jobs: [storedJob('old-job')], activeRuns: [oldRun], owners: [], notices: [] });
  assert.deepEqual(await store.getRun('old-run'), oldRun);
  await store.close();
  const migrated = new Database(path, { readonly: true });
  const statuses = ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ');
  const plan = migrated.prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN SELECT * FROM runs WHERE status IN (${statuses})`).all();
  migrated.close();
  assert.ok(plan.some((step) => step.detail.includes('runs_active')), JSON.stringify(plan));
});

test('beginEpoch on a full disk fails with SQLite\'s own error and raises nothing', { skip: smallDiskUnavailable() ?? false }, async () => {
  const disk = mountSmallDisk(join(dir.path, `small-disk-${++n}`), 1);
  const store = new SqliteStore(join(disk.path, 'moroccron.db'));
  try {
    const first = await store.beginEpoch('a', 0);
    disk.fill();
    await assert.rejects(store.beginEpoch('b', 1), (e: unknown) => (e as { code?: string }).code === 'SQLITE_FULL');
    disk.free();
    const epoch = await store.beginEpoch('c', 2);
    assert.equal(epoch, first + 1, 'the failed raise left no trace in the file');
    await store.write(epoch, [{ op: 'put-meta', key: 'k', value: 'v' }]);
    assert.equal(await store.getMeta('k'), 'v');
  } finally {
    await store.close();
    disk.unmount();
  }
});
