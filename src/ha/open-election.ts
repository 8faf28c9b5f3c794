/** The leader election that goes with a store URL; none for the embedded SQLite store (one process leads). */
import type { Logger } from 'pino';
import { storeKindOf } from '../store/open-store.js';
import { EtcdElection } from './etcd-election.js';
import type { LeaderElection } from './types.js';
import { ZooKeeperElection } from './zookeeper-election.js';

export async function openElection(storeUrl: string, _logger: Logger): Promise<LeaderElection | null> {
  switch (storeKindOf(storeUrl)) {
    case 'sqlite':
      return null;
    case 'etcd':
      return new EtcdElection(storeUrl);
    case 'zookeeper':
      return new ZooKeeperElection(storeUrl);
    default:
      throw new Error(`no leader election for ${storeUrl} in this build`);
  }
}
