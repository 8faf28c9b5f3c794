/**
 * High availability on Mesos: two servers on etcd, both `--backend mesos` against the
 * in-process sim. Each new leader re-subscribes as the same framework (its ID from the
 * store), reconciles the tasks the dead leader launched, and carries on: a task running
 * through the takeovers is recorded once, as it ended, and every second still has
 * exactly one run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import { etcdUnavailable, startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { HaCluster, assertExactlyOncePerSecond, createLedgerJob, ledgerIn } from '../helpers/ha-cluster.js';
import { api, eventually, sleep, tempDir } from '../helpers/server-process.js';

interface FrameworkJson {
  id: string;
  name: string;
  active: boolean;
}

interface RunJson {
  id: string;
  status: string;
  agent: string | null;
  finishedAt: string | null;
  exitCode: number | null;
}

const skip = etcdUnavailable();

describe('HA on Mesos (etcd, 2 servers, the sim)', { skip: skip ?? false, timeout: 240_000 }, () => {
  const dir = tempDir();
  let etcd: EtcdServer;
  let sim: MesosSim;
  let cluster: HaCluster;

  before(async () => {
    [etcd, sim] = await Promise.all([startEtcd(), startMesosSim({ agents: 2, logger: () => {} })]);
    cluster = new HaCluster(`etcd://${etcd.hostPort}/ha-mesos`, join(dir.path, 'data'), ['--backend', 'mesos', '--mesos-master', sim.url]);
    await cluster.start(2);
  });
  after(async () => {
    await cluster?.stop();
    await sim?.close();
    await etcd?.stop();
    dir.remove();
  });

  const frameworks = () => (sim.state() as { frameworks: FrameworkJson[] }).frameworks.filter((f) => f.name === 'moroccron');

  test('takeovers keep the framework, reconcile its tasks and lose or double nothing', async () => {
    const first = await cluster.leader();
    await eventually(async () => (frameworks().some((f) => f.active) ? true : undefined), 15_000, 'the leader to subscribe');
    const frameworkId = frameworks()[0]!.id;
    const ledger = ledgerIn(dir.path);
    await createLedgerJob(first, ledger);
    const longLedger = join(dir.path, 'long-ledger');
    const created = await api(`${first.url}/api/v1/jobs`, 'POST', {
      name: 'long',
      schedule: '@yearly',
      command: `echo ran >> ${longLedger}; sleep 6`,
      resources: { cpus: 0.01, mem: 1 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const long = (await api<RunJson>(`${first.url}/api/v1/jobs/long/run`, 'POST')).body;
    await eventually(async () => ((await api<RunJson>(`${first.url}/api/v1/runs/${long.id}`)).body.status === 'running' ? true : undefined), 15_000, 'the long run to start');

    for (let i = 0; i < 3; i++) {
      await cluster.killLeader();
      await eventually(async () => (frameworks().filter((f) => f.active).length === 1 ? true : undefined), 15_000, 'the new leader to re-subscribe');
      assert.deepEqual(frameworks().map((f) => f.id), [frameworkId], 'one framework throughout, the same ID');
      await sleep(1000);
    }

    const leader = await cluster.leader();
    const ended = await eventually(async () => {
      const r = (await api<RunJson>(`${leader.url}/api/v1/runs/${long.id}`)).body;
      return r.finishedAt ? r : undefined;
    }, 30_000, 'the long run to end');
    assert.equal(ended.status, 'succeeded', 'reconciled to how it really ended');
    assert.equal(readFileSync(longLedger, 'utf8'), 'ran\n', 'the long run ran once, through three takeovers');
    await assertExactlyOncePerSecond(cluster, ledger);
  });
});
