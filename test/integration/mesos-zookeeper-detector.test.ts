/**
 * Master detection through a real ZooKeeper: the lowest json.info_ node leads, the
 * children are watched, and a leader change makes the connection re-subscribe to the new
 * master with the same framework ID.
 */
import assert from 'node:assert/strict';
import zookeeper from 'node-zookeeper-client';
import { after, before, test } from 'node:test';
import { SchedulerConnection, ZooKeeperMasterDetector, leaderNode, masterUrlOf, parseZooKeeperUrl, type ConnectionMessage } from '../../src/mesos/client/index.js';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import { eventually } from '../helpers/server-process.js';
import { startZooKeeper, zooKeeperUnavailable, type ZooKeeperServer } from '../helpers/zookeeper.js';

test('ZooKeeper URLs, leader choice and MasterInfo addresses', () => {
  assert.deepEqual(parseZooKeeperUrl('zk://h1:2181,h2:2181/mesos/'), { connectString: 'h1:2181,h2:2181', path: '/mesos', auth: null });
  assert.deepEqual(parseZooKeeperUrl('zk://u:p@h1:2181'), { connectString: 'h1:2181', path: '/', auth: 'u:p' });
  assert.throws(() => parseZooKeeperUrl('http://h1:5050'), /not a ZooKeeper URL/);
  assert.equal(leaderNode(['json.info_0000000012', 'info_0000000003', '0000000001', 'json.info_0000000009']), 'json.info_0000000009');
  assert.equal(leaderNode(['log_replicas']), null);
  assert.equal(masterUrlOf({ id: 'm', ip: 16777343, port: 5050, address: { ip: '10.0.0.11', hostname: 'm1', port: 5050 } }), 'http://10.0.0.11:5050');
  assert.equal(masterUrlOf({ id: 'm', ip: 16777343, port: 5051 }), 'http://127.0.0.1:5051', 'the packed ip is little-endian octets');
});

const unavailable = zooKeeperUnavailable();
let zk: ZooKeeperServer;
let sims: MesosSim[] = [];
let client: zookeeper.Client;

before(async () => {
  if (unavailable) return;
  zk = await startZooKeeper();
  sims = [await startMesosSim({ agents: 1, heartbeatIntervalSeconds: 1 }), await startMesosSim({ agents: 1, heartbeatIntervalSeconds: 1 })];
  client = zookeeper.createClient(zk.connectString);
  await new Promise<void>((resolve) => {
    client.once('connected', () => resolve());
    client.connect();
  });
});
after(async () => {
  client?.close();
  for (const sim of sims) await sim.close();
  await zk?.stop();
});

const zkCall = <T>(fn: (cb: (error: unknown, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))));

/** What a contending Mesos master writes: an ephemeral sequential json.info_ node with its MasterInfo. */
function contend(sim: MesosSim): Promise<string> {
  const { hostname, port } = new URL(sim.url);
  const info = { id: sim.masterId, ip: 16777343, port: Number(port), hostname, address: { hostname, ip: hostname, port: Number(port) } };
  return zkCall<string>((cb) => client.create('/mesos/json.info_', Buffer.from(JSON.stringify(info)), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, cb));
}

test('the connection follows the leader ZooKeeper names, re-subscribing as the same framework', { skip: unavailable ?? false }, async () => {
  const [first, second] = sims as [MesosSim, MesosSim];
  const detector = new ZooKeeperMasterDetector(`zk://${zk.connectString}/mesos`, { sessionTimeoutMs: 4000 });
  const messages: ConnectionMessage[] = [];
  let frameworkId: string | undefined;
  const connection = new SchedulerConnection({
    detector,
    frameworkInfo: { user: 'test', name: 'zk-test', failover_timeout: 600, checkpoint: true },
    frameworkId: () => frameworkId,
    onMessage: (m) => {
      messages.push(m);
      if (m.type === 'connected') frameworkId = m.frameworkId;
    },
    backoff: { baseMs: 50, maxMs: 500 },
  });
  try {
    // No leader yet: the path does not even exist.
    connection.start();
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(detector.candidates(), []);
    await zkCall((cb) => client.mkdirp('/mesos', cb));
    await zkCall((cb) => client.create('/mesos/log_replicas', cb));
    const firstNode = await contend(first);
    await eventually(async () => (messages.some((m) => m.type === 'connected') ? true : undefined), 10_000, 'a subscription through ZooKeeper');
    const subscribed = messages.find((m) => m.type === 'connected');
    assert.equal(subscribed?.type === 'connected' && subscribed.master, first.url);

    // A standby joins (higher sequence), then the leader's node goes: the standby leads.
    await contend(second);
    assert.deepEqual(detector.candidates(), [first.url], 'a later node does not lead');
    await zkCall<void>((cb) => client.remove(firstNode, (error) => cb(error, undefined)));
    await eventually(
      async () => (messages.filter((m) => m.type === 'connected').length >= 2 ? true : undefined),
      10_000,
      're-subscription to the new leader',
    );
    const again = messages.filter((m) => m.type === 'connected').at(-1);
    assert.ok(again?.type === 'connected');
    assert.equal(again.master, second.url);
    assert.equal(again.frameworkId, frameworkId, 'the same framework ID on the new master');
  } finally {
    connection.close();
    detector.close();
  }
});
