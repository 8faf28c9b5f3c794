/**
 * The SQLite store keeps the jobs getJob read (src/store/sqlite/job-cache.ts): a kept job is
 * never stale, whoever changed the row, and no reader can change it for the next.
 *
 * Run: node --import tsx --test --test-reporter=spec test/integration/sqlite-job-cache.test.ts
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { JobCache } from '../../src/store/sqlite/job-cache.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/server-process.js';
import { spec, storedJob } from '../helpers/store-fixtures.js';

const dir = tempDir('moroccron-sqlite-job-cache-');
after(() => dir.remove());
let n = 0;
const freshPath = () => join(dir.path, `store-${++n}.db`);

test('its own writes show in the next read: put, cursor, progress, delete', async () => {
  const store = new SqliteStore(freshPath());
  const epoch = await store.beginEpoch('a', 0);
  await store.write(epoch, [{ op: 'put-job', job: storedJob('alpha') }]);
  assert.equal((await store.getJob('alpha'))!.spec.schedule, '* * * * *');

  await store.write(epoch, [{ op: 'put-job', job: { ...storedJob('alpha'), spec: spec('alpha', { schedule: '@daily' }) } }]);
  assert.equal((await store.getJob('alpha'))!.spec.schedule, '@daily');
  await store.write(epoch, [{ op: 'set-cursor', job: 'alpha', cursor: 9000 }]);
  assert.equal((await store.getJob('alpha'))!.cursor, 9000);
  const progress = { lastSuccess: { runId: 'r1', finishedAt: 9500 }, lastOutcome: { runId: 'r1', status: 'succeeded' as const, finishedAt: 9500 }, consumed: { parent: 'p1' } };
  await store.write(epoch, [{ op: 'set-progress', job: 'alpha', progress }]);
  assert.deepEqual((await store.getJob('alpha'))!.progress, progress);
  await store.write(epoch, [{ op: 'delete-job', name: 'alpha' }]);
  assert.equal(await store.getJob('alpha'), null);
  await store.close();
});

test('a change committed by another connection or process to the same file shows in the next read', async () => {
  const path = freshPath();
  const reader = new SqliteStore(path);
  const readerEpoch = await reader.beginEpoch('reader', 0);
  await reader.write(readerEpoch, [{ op: 'put-job', job: storedJob('shared') }]);
  assert.equal((await reader.getJob('shared'))!.spec.schedule, '* * * * *');

  // Another store on the file (it takes over, as a second server would).
  const other = new SqliteStore(path);
  const otherEpoch = await other.beginEpoch('other', 1);
  await other.write(otherEpoch, [{ op: 'put-job', job: { ...storedJob('shared'), spec: spec('shared', { schedule: '@hourly' }) } }]);
  assert.equal((await reader.getJob('shared'))!.spec.schedule, '@hourly');

  // A plain connection, as the sqlite3 shell would be.
  const raw = new Database(path);
  raw.prepare('UPDATE jobs SET cursor = 4242 WHERE name = ?').run('shared');
  assert.equal((await reader.getJob('shared'))!.cursor, 4242);
  raw.prepare('DELETE FROM jobs WHERE name = ?').run('shared');
  assert.equal(await reader.getJob('shared'), null);
  raw.close();
  await other.close();
  await reader.close();
});

test('a job read is frozen, so a reader cannot change what the next one gets', async () => {
  const store = new SqliteStore(freshPath());
  const epoch = await store.beginEpoch('a', 0);
  await store.write(epoch, [{ op: 'put-job', job: storedJob('frozen') }]);
  const job = (await store.getJob('frozen'))!;
  assert.throws(() => {
    job.spec.env.ADDED = 'x';
  }, TypeError);
  assert.throws(() => {
    job.cursor = 1;
  }, TypeError);
  assert.deepEqual(await store.getJob('frozen'), storedJob('frozen'));
  await store.close();
});

test('the cache keeps at most its capacity, dropping the job read least recently', () => {
  const cache = new JobCache(2);
  cache.sync(1);
  cache.keep(storedJob('a'));
  cache.keep(storedJob('b'));
  assert.ok(cache.get('a'), 'a is read, so b is now the least recent');
  cache.keep(storedJob('c'));
  assert.equal(cache.get('b'), undefined);
  assert.ok(cache.get('a'));
  assert.ok(cache.get('c'));
  cache.sync(2);
  assert.equal(cache.get('a'), undefined, 'another connection committed: nothing kept is trusted');
});
