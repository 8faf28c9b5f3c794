/**
 * Tokens on the shared stores: the first admin token made with `moroccron token create
 * --store URL` and no server, then two members with `--auth tokens`. A token made on one
 * member works on the other at once (the leader or a standby, which redirects writes and
 * the CLI follows with its token), and a revocation on one is refused by both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { etcdUnavailable, startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { HaCluster } from '../helpers/ha-cluster.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { runCli } from '../helpers/cli-process.js';
import { eventually, tempDir, type ServerProcess } from '../helpers/server-process.js';
import { startZooKeeper, zooKeeperUnavailable, type ZooKeeperServer } from '../helpers/zookeeper.js';

const stores: { kind: string; skip: string | null; url: () => string }[] = [];
let pg: PostgresServer | undefined;
let etcd: EtcdServer | undefined;
let zk: ZooKeeperServer | undefined;
const skips = { postgres: postgresUnavailable(), etcd: etcdUnavailable(), zookeeper: zooKeeperUnavailable() };
stores.push({ kind: 'postgres', skip: skips.postgres, url: () => `${pg!.url}?schema=ha_tokens_${process.pid}` });
stores.push({ kind: 'etcd', skip: skips.etcd, url: () => `etcd://${etcd!.hostPort}/ha-tokens-${process.pid}` });
stores.push({ kind: 'zookeeper', skip: skips.zookeeper, url: () => `zk://${zk!.connectString}/ha-tokens-${process.pid}` });

before(async () => {
  if (!skips.postgres) pg = await startPostgres();
  if (!skips.etcd) etcd = await startEtcd();
  if (!skips.zookeeper) zk = await startZooKeeper();
});
after(async () => {
  await pg?.stop();
  await etcd?.stop();
  await zk?.stop();
});

async function status(member: ServerProcess, token: string, method = 'GET', path = '/api/v1/jobs', body?: unknown): Promise<number> {
  const response = await fetch(`${member.url}${path}`, {
    method,
    redirect: 'manual',
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  await response.text();
  return response.status;
}

for (const store of stores) {
  describe(`tokens on ${store.kind}`, { skip: store.skip ?? false, timeout: 120_000 }, () => {
    test('made on the store with no server, or on one member, they work on every member; a revocation counts everywhere', async () => {
      const dir = tempDir();
      const url = store.url();
      const first = await runCli(['token', 'create', '--role', 'admin', '--name', 'bootstrap', '--store', url]);
      assert.equal(first.code, 0, first.stderr);
      const admin = first.stdout.trim();
      const cluster = new HaCluster(url, dir.path, ['--auth', 'tokens'], admin);
      try {
        await cluster.start(2);
        const leader = await cluster.leader();
        const standby = cluster.members.find((m) => m !== leader)!;
        for (const member of cluster.members) assert.equal(await status(member, admin), 200, 'the offline token works on every member');

        // Made on the standby (tokens need no leader), used at once on the leader.
        const made = await runCli(['token', 'create', '--role', 'operator', '--owner', 'ops', '--server', standby.url], { env: { MOROCCRON_TOKEN: admin } });
        assert.equal(made.code, 1, 'the owner must exist first');
        assert.match(made.stderr, /owners\[0\]: no owner named "ops"/);
        const owner = await runCli(['apply', '-f', '-', '--server', standby.url], { env: { MOROCCRON_TOKEN: admin }, stdin: 'kind: owner\nname: ops\n' });
        assert.equal(owner.code, 0, `the CLI follows the standby's redirect with its token: ${owner.stderr}`);
        const operatorMade = await runCli(['token', 'create', '--role', 'operator', '--owner', 'ops', '--server', standby.url], { env: { MOROCCRON_TOKEN: admin } });
        assert.equal(operatorMade.code, 0, operatorMade.stderr);
        const operator = operatorMade.stdout.trim();
        assert.equal(await status(leader, operator, 'PUT', '/api/v1/jobs/ops-job', { command: 'true', owners: ['ops'] }), 201);
        assert.equal(await status(standby, operator), 200);
        assert.equal(await status(standby, operator, 'POST', '/api/v1/jobs/ops-job/run'), 307, 'a standby authenticates, then sends the write to the leader');

        const revoked = await runCli(['token', 'revoke', operator.slice(4, 16), '--server', leader.url], { env: { MOROCCRON_TOKEN: admin } });
        assert.equal(revoked.code, 0, revoked.stderr);
        for (const member of cluster.members) {
          await eventually(async () => ((await status(member, operator)) === 401 ? true : undefined), 5000, `the revocation on ${member.url}`);
        }
      } finally {
        await cluster.stop();
        dir.remove();
      }
    });
  });
}
