/**
 * History stores end to end. A server on etcd capped at 3 runs per job, with a SQLite
 * history store: every run of a job that fires each second stays listed, and the logs of
 * runs etcd let go still read. And three servers on etcd capped at 5, with a PostgreSQL
 * history store, the leader SIGKILLed again and again: afterwards every second still has
 * exactly one run, read back through the merged history.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { etcdUnavailable, startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { HaCluster, assertExactlyOncePerSecond, createLedgerJob, ledgerIn } from '../helpers/ha-cluster.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { api, eventually, sleep, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

interface RunJson {
  id: string;
  status: string;
  scheduledAt: string;
}

const skip = etcdUnavailable();

describe('history store (etcd capped at 3 runs, SQLite behind it)', { skip: skip ?? false }, () => {
  const dir = tempDir();
  let etcd: EtcdServer;
  let server: ServerProcess;

  before(async () => {
    etcd = await startEtcd();
    server = await startServerProcess(join(dir.path, 'data'), [
      '--store', `etcd://${etcd.hostPort}/history-e2e?history=3`,
      '--history-store', `sqlite:${join(dir.path, 'history.db')}`,
    ]);
  });
  after(async () => {
    await server?.stop();
    await etcd?.stop();
    dir.remove();
  });

  test('runs past the cap are listed and their logs still read', async () => {
    await eventually(async () => ((await api<{ isLeader: boolean }>(`${server.url}/api/v1/cluster`)).body.isLeader ? true : undefined), 15_000, 'leadership');
    const created = await api(`${server.url}/api/v1/jobs`, 'POST', {
      name: 'every-second',
      schedule: '* * * * * *',
      command: 'echo "tick $MOROCCRON_RUN_ID"',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const runs = await eventually(async () => {
      const page = await api<{ runs: RunJson[] }>(`${server.url}/api/v1/jobs/every-second/runs?limit=100&status=succeeded`);
      return page.body.runs.length >= 7 ? page.body.runs : undefined;
    }, 30_000, 'seven finished runs');
    const times = runs.map((r) => Date.parse(r.scheduledAt));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    assert.equal(new Set(times).size, times.length, 'one run per second');
    const oldest = runs[runs.length - 1]!;
    const one = await api<RunJson>(`${server.url}/api/v1/runs/${oldest.id}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.status, 'succeeded');
    const logs = await api<{ data: string }>(`${server.url}/api/v1/runs/${oldest.id}/logs?stream=stdout`);
    assert.equal(logs.status, 200);
    assert.match(logs.body.data, new RegExp(`tick ${oldest.id}`), 'the log of a run etcd let go is kept');
    await api(`${server.url}/api/v1/jobs/every-second/pause`, 'POST');
  });
});

describe('HA with a history store (etcd capped at 5, PostgreSQL behind it)', { skip: skip ?? postgresUnavailable() ?? false, timeout: 180_000 }, () => {
  const dir = tempDir();
  let etcd: EtcdServer;
  let postgres: PostgresServer;
  let cluster: HaCluster;

  before(async () => {
    [etcd, postgres] = await Promise.all([startEtcd(), startPostgres()]);
    cluster = new HaCluster(`etcd://${etcd.hostPort}/history-ha?history=5`, join(dir.path, 'data'), ['--history-store', `${postgres.url}?schema=history`]);
    await cluster.start(3);
  });
  after(async () => {
    await cluster?.stop();
    await Promise.allSettled([etcd?.stop(), postgres?.stop()]);
    dir.remove();
  });

  test('leader killed 4 times: every second has exactly one run, though etcd keeps only 5', async () => {
    await createLedgerJob(cluster.members[0]!, ledgerIn(dir.path));
    for (let i = 0; i < 4; i++) {
      await sleep(2000);
      await cluster.killLeader();
    }
    await sleep(2000);
    const seconds = await assertExactlyOncePerSecond(cluster, ledgerIn(dir.path));
    assert.ok(seconds > 10, `${seconds} seconds checked: far more than the 5 runs etcd keeps`);
  });
});
