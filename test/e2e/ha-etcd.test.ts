/** High availability on etcd: several servers, one leader, fenced writes, takeovers. */
import { after, before } from 'node:test';
import { etcdUnavailable, startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { haScenarios } from '../helpers/ha-scenarios.js';

const skip = etcdUnavailable();
let etcd: EtcdServer;
before(async () => {
  if (!skip) etcd = await startEtcd();
});
after(async () => {
  await etcd?.stop();
});

haScenarios('etcd', () => ({ freshUrl: (name) => `etcd://${etcd.hostPort}/ha-${name}-${process.pid}`, restart: (ms) => etcd.restart(ms) }), skip);
