/** The leader election that goes with a store URL; none for the embedded SQLite store (one process leads). */
import { storeKindOf } from '../store/open-store.js';
import { EtcdElection } from './etcd-election.js';
import { PostgresElection } from './postgres-election.js';
import type { LeaderElection } from './types.js';
import { ZooKeeperElection } from './zookeeper-election.js';

export async function openElection(storeUrl: string): Promise<LeaderElection | null> {
  switch (storeKindOf(storeUrl)) {
    case 'sqlite':
      return null;
    case 'etcd':
      return new EtcdElection(storeUrl);
    case 'zookeeper':
      return new ZooKeeperElection(storeUrl);
    case 'postgres':
      return new PostgresElection(storeUrl);
  }
}
