/** High availability on ZooKeeper: several servers, one leader, fenced writes, takeovers. */
import { after, before } from 'node:test';
import { haScenarios } from '../helpers/ha-scenarios.js';
import { startZooKeeper, zooKeeperUnavailable, type ZooKeeperServer } from '../helpers/zookeeper.js';

const skip = zooKeeperUnavailable();
let zk: ZooKeeperServer;
before(async () => {
  if (!skip) zk = await startZooKeeper();
});
after(async () => {
  await zk?.stop();
});

haScenarios('zookeeper', () => ({ freshUrl: (name) => `zk://${zk.connectString}/ha-${name}-${process.pid}`, restart: (ms) => zk.restart(ms) }), skip);
