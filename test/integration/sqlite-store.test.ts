/** The SQLite store: the shared Store contract, plus its file-level behaviour. */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openStore } from '../../src/store/open-store.js';
import { tempDir } from '../helpers/server-process.js';
import { run, storeContract, storedJob } from '../helpers/store-contract.js';

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
