/** The PostgreSQL store against a real server: the shared Store contract, plus its own behaviour. */
import assert from 'node:assert/strict';
import pg from 'pg';
import { after, before, describe, test } from 'node:test';
import { MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { openPostgresStore, PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { startPostgres, postgresUnavailable, type PostgresServer } from '../helpers/postgres.js';
import { run, spec, storeContract, storedJob } from '../helpers/store-contract.js';
import { auditEntry, token } from '../helpers/store-fixtures.js';

const unavailable = postgresUnavailable();
let server: PostgresServer;
let n = 0;
const freshUrl = () => `${server.url}?schema=test_${++n}`;

before(async () => {
  if (!unavailable) server = await startPostgres();
});
after(async () => {
  await server?.stop();
});

describe('PostgreSQL store', { skip: unavailable ?? false }, () => {
  storeContract('postgres', async () => openPostgresStore(freshUrl()));

  test('two stores opening a fresh schema at once migrate it exactly once', async () => {
    const url = freshUrl();
    const stores = await Promise.all([openPostgresStore(url), openPostgresStore(url), openPostgresStore(url)]);
    const client = new pg.Client(server.url);
    await client.connect();
    const schema = new URL(url).searchParams.get('schema');
    const { rows } = await client.query(`SELECT version FROM ${schema}.moroccron_schema ORDER BY version`);
    await client.end();
    assert.deepEqual(rows.map((r) => r.version), MIGRATIONS.map((_, i) => i + 1));
    const epoch = await stores[0]!.beginEpoch('a', 0);
    await stores[1]!.write(epoch, [{ op: 'put-job', job: storedJob('shared') }]);
    assert.equal((await stores[2]!.getJob('shared'))?.spec.name, 'shared');
    const again = await openPostgresStore(url);
    assert.equal((await again.listJobs()).length, 1, 'reopening keeps the data');
    await Promise.all([...stores, again].map((s) => s.close()));
  });

  test('a burst of 1000 claims in one write: all accepted once, duplicates refused, order kept, a replayed prefix accepted', async () => {
    const store = await openPostgresStore(freshUrl());
    const epoch = await store.beginEpoch('a', 0);
    const burst = Array.from({ length: 1000 }, (_, i) => run('burst', { id: `b-${String(i).padStart(4, '0')}`, key: `s:${i}`, scheduledAt: i }));
    const early = burst.slice(0, 10);
    await store.write(epoch, early.map((r) => ({ op: 'claim-run' as const, run: r })));
    const dupes = [run('burst', { id: 'dup-1', key: 's:500' }), run('burst', { id: 'dup-2', key: 's:5' })];
    const result = await store.write(epoch, [...burst, ...dupes].map((r) => ({ op: 'claim-run' as const, run: r })));
    assert.deepEqual(result.accepted, burst.map((r) => r.id), 'the early claims are these runs\' own');
    assert.deepEqual(result.refused, ['dup-1', 'dup-2']);
    const page = await store.listRuns({ job: 'burst', limit: 2000 });
    assert.equal(page.runs.length, 1000);
    assert.deepEqual(await store.getRun('b-0999'), burst[999]);
    assert.equal((await store.loadState()).activeRuns.length, 1000);
    await store.close();
  });

  test('claims, then updates of the same runs, in one batch apply in order', async () => {
    const store = await openPostgresStore(freshUrl());
    const epoch = await store.beginEpoch('a', 0);
    const a = run('j');
    const b = run('j', { key: 'k:{"a,b"}\\', agent: 'NULL' });
    const result = await store.write(epoch, [
      { op: 'claim-run', run: a },
      { op: 'claim-run', run: b },
      { op: 'update-run', run: { ...a, status: 'launching' } },
      { op: 'update-run', run: { ...a, status: 'running', startedAt: 1500 } },
      { op: 'claim-run', run: run('j', { key: a.key }) },
      { op: 'update-run', run: { ...b, status: 'skipped', finishedAt: 1600, reason: 'odd "text", {braces}\\ NULL ü' } },
    ]);
    assert.deepEqual(result.accepted, [a.id, b.id]);
    assert.equal(result.refused.length, 1);
    assert.deepEqual(await store.getRun(a.id), { ...a, status: 'running', startedAt: 1500 });
    assert.deepEqual(await store.getRun(b.id), { ...b, status: 'skipped', finishedAt: 1600, reason: 'odd "text", {braces}\\ NULL ü' });
    await store.close();
  });

  test('the description names host, database and schema but never the password', async () => {
    const url = new URL(freshUrl());
    url.password = 's3cret';
    url.searchParams.set('application_name', 'x');
    const store = new PostgresStore(url.toString());
    assert.equal(store.description, `postgres://postgres@127.0.0.1:${server.port}/postgres?schema=test_${n}`);
    assert.doesNotMatch(store.description, /s3cret/);
    await store.close();
    const plain = new PostgresStore(server.url);
    assert.equal(plain.description, server.url, 'the default schema is not spelled out');
    await plain.close();
    assert.throws(() => new PostgresStore(`${server.url}?schema=bad;drop`), /invalid schema/);
  });

  test('numbers come back as numbers: times beyond 2^31, epochs, cursors, blacklist', async () => {
    const store = await openPostgresStore(freshUrl());
    const epoch = await store.beginEpoch('a', 0);
    assert.equal(typeof epoch, 'number');
    const t = Date.UTC(2030, 0, 1);
    const r = run('big', { scheduledAt: t, claimedAt: t + 1, startedAt: t + 2, finishedAt: t + 3, deadline: t + 4, status: 'failed', exitCode: 3, attempt: 2 });
    await store.write(epoch, [
      { op: 'put-job', job: { ...storedJob('big', t), createdAt: t, updatedAt: t } },
      { op: 'claim-run', run: r },
      { op: 'blacklist-agent', agent: 'S9', reason: 'x', since: t },
    ]);
    assert.deepEqual(await store.getRun(r.id), r);
    assert.deepEqual(await store.getJob('big'), { ...storedJob('big', t), createdAt: t, updatedAt: t });
    assert.deepEqual(await store.listBlacklist(), [{ agent: 'S9', reason: 'x', since: t }]);
    const [listed] = (await store.listRuns({ job: 'big', limit: 1 })).runs;
    assert.equal(typeof listed!.scheduledAt, 'number');
    assert.equal(await store.beginEpoch('b', t), epoch + 1);
    await store.close();
  });

  test('runs stored before migration 3 read back with no labels', async () => {
    const url = freshUrl();
    await schemaAtVersion(url, 2, async (client) => {
      await client.query(`INSERT INTO runs (id, job, key, trigger, scheduled_at, claimed_at, attempt, status, root_id)
        VALUES ('old-run', 'j', 's:1', 'schedule', 1000, 1001, 1, 'queued', 'old-run')`);
    });
    const store = await openPostgresStore(url);
    assert.deepEqual(await store.getRun('old-run'), run('j', { id: 'old-run', key: 's:1' }));
    const epoch = await store.beginEpoch('a', 0);
    await store.write(epoch, [{ op: 'update-run', run: run('j', { id: 'old-run', key: 's:1', labels: { team: 'x' } }) }]);
    assert.deepEqual((await store.getRun('old-run'))!.labels, { team: 'x' });
    await store.close();
  });

  test('data stored before migrations 4 to 7 reads back with no causes, not late, no progress; the active index covers waiting runs', async () => {
    const url = freshUrl();
    const schema = await schemaAtVersion(url, 3, async (client) => {
      await client.query(`INSERT INTO jobs (name, spec, cursor, created_at, updated_at) VALUES ('old-job', $1, 1000, 1, 2)`, [JSON.stringify(spec('old-job'))]);
      await client.query(`INSERT INTO runs (id, job, key, trigger, scheduled_at, claimed_at, attempt, status, root_id)
        VALUES ('old-run', 'old-job', 's:1', 'schedule', 1000, 1001, 1, 'queued', 'old-run')`);
    });
    const store = await openPostgresStore(url);
    const oldRun = run('old-job', { id: 'old-run', key: 's:1' });
    assert.deepEqual(await store.loadState(), { jobs: [storedJob('old-job')], activeRuns: [oldRun], owners: [], notices: [] });
    assert.deepEqual(await store.getRun('old-run'), oldRun);
    await store.close();
    const check = new pg.Client(server.url);
    await check.connect();
    try {
      const { rows } = await check.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'runs_active'`, [schema]);
      assert.match(rows[0]!.indexdef, /'waiting'/);
    } finally {
      await check.end();
    }
  });

  test('a schema from before migration 8 keeps its data and gains tokens and the audit log with its newest-first index', async () => {
    const url = freshUrl();
    const schema = await schemaAtVersion(url, 7, async (client) => {
      await client.query(`INSERT INTO jobs (name, spec, cursor, created_at, updated_at) VALUES ('old-job', $1, 1000, 1, 2)`, [JSON.stringify(spec('old-job'))]);
    });
    const store = await openPostgresStore(url);
    assert.deepEqual(await store.listJobs(), [storedJob('old-job')]);
    assert.deepEqual(await store.listTokens(), []);
    assert.deepEqual(await store.listAudit({ limit: 10 }), { entries: [], nextCursor: null });
    const t = Date.UTC(2030, 0, 1);
    const created = token('0a1b2c3d4e', { createdAt: t, expiresAt: t + 86_400_000 });
    await store.writeAccess([{ op: 'put-token', token: created }, { op: 'put-audit', entry: auditEntry('a-1', t, { action: 'create-token', targets: [created.id] }) }]);
    assert.deepEqual(await store.getToken(created.id), created, 'times beyond 2^31 come back as numbers');
    assert.deepEqual((await store.listAudit({ limit: 10, since: t })).entries.map((e) => e.id), ['a-1']);
    await store.close();
    const check = new pg.Client(server.url);
    await check.connect();
    try {
      const { rows } = await check.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'audit_newest'`, [schema]);
      assert.match(rows[0]!.indexdef, /\(at DESC, id DESC\)/);
    } finally {
      await check.end();
    }
  });

  test('a schema from a newer moroccron is refused with a clear message', async () => {
    const url = freshUrl();
    await (await openPostgresStore(url)).close();
    const client = new pg.Client(server.url);
    await client.connect();
    await client.query(`INSERT INTO test_${n}.moroccron_schema (version) VALUES (${MIGRATIONS.length + 1})`);
    await client.end();
    await assert.rejects(openPostgresStore(url), /newer than this moroccron knows/);
  });
});

/** The store's schema as an older moroccron left it: the first `version` migrations, then `seed`. Returns the schema name. */
async function schemaAtVersion(url: string, version: number, seed: (client: pg.Client) => Promise<void>): Promise<string> {
  const schema = new URL(url).searchParams.get('schema')!;
  const client = new pg.Client(server.url);
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
    await client.query('CREATE TABLE moroccron_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    for (const [i, sql] of MIGRATIONS.slice(0, version).entries()) {
      await client.query(sql);
      await client.query('INSERT INTO moroccron_schema (version) VALUES ($1)', [i + 1]);
    }
    await seed(client);
  } finally {
    await client.end();
  }
  return schema;
}
