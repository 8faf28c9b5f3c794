/** The detector for the address a user gave: `zk://…` watches ZooKeeper, anything else is a URL list. */
import { UrlListMasterDetector, type MasterDetector } from './master-detector.js';
import { ZooKeeperMasterDetector } from './zookeeper-detector.js';

/** `zk://host:2181/mesos` watches ZooKeeper for the leader; anything else is a list of master URLs. */
export function detectorFor(masters: string, options: { onError?: (message: string) => void } = {}): MasterDetector {
  return masters.trim().startsWith('zk://') ? new ZooKeeperMasterDetector(masters, options) : new UrlListMasterDetector(masters);
}
