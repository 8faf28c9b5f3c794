/** --leader-timeout reaches each election as its own unit: ZooKeeper session, etcd lease TTL, PostgreSQL lease. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EtcdElection } from '../../src/ha/etcd-election.js';
import { openElection } from '../../src/ha/open-election.js';
import { PostgresElection } from '../../src/ha/postgres-election.js';
import { ZooKeeperElection } from '../../src/ha/zookeeper-election.js';

test('the leader timeout becomes the session, the lease TTL and the lease', async () => {
  const zk = await openElection('zk://127.0.0.1:2181/m', { leaderTimeoutMs: 5000 });
  assert.ok(zk instanceof ZooKeeperElection);
  assert.equal(zk.sessionTimeoutMs, 5000);
  const etcd = await openElection('etcd://127.0.0.1:2379/m', { leaderTimeoutMs: 2500 });
  assert.ok(etcd instanceof EtcdElection);
  assert.equal(etcd.ttlSeconds, 3, 'etcd leases are whole seconds: rounded up, never shorter than asked');
  const pg = await openElection('postgres://u@127.0.0.1:5432/db', { leaderTimeoutMs: 4000 });
  assert.ok(pg instanceof PostgresElection);
  assert.deepEqual([pg.leaseMs, pg.renewIntervalMs, pg.pollIntervalMs], [4000, 1000, 500]);
  assert.equal(await openElection('sqlite:/tmp/x.db', { leaderTimeoutMs: 4000 }), null, 'one SQLite process leads alone');
  const defaults = await openElection('zk://127.0.0.1:2181/m');
  assert.equal((defaults as ZooKeeperElection).sessionTimeoutMs, 2000);
  await Promise.all([zk, etcd, pg, defaults].map((e) => e!.close()));
});
