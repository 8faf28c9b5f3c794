/** The leader election that goes with a store URL; none for the embedded SQLite store (one process leads). */
import { storeKindOf } from '../store/open-store.js';
import { EtcdElection } from './etcd-election.js';
import { PostgresElection } from './postgres-election.js';
import type { LeaderElection } from './types.js';
import { ZooKeeperElection } from './zookeeper-election.js';

export interface ElectionOptions {
  /**
   * How long a leader that has died or frozen keeps leading: the ZooKeeper session timeout,
   * the etcd lease TTL (rounded up to whole seconds) or the PostgreSQL lease. Default 2 s.
   */
  leaderTimeoutMs?: number;
}

export async function openElection(storeUrl: string, options: ElectionOptions = {}): Promise<LeaderElection | null> {
  const timeout = options.leaderTimeoutMs;
  switch (storeKindOf(storeUrl)) {
    case 'sqlite':
      return null;
    case 'etcd':
      return new EtcdElection(storeUrl, timeout === undefined ? {} : { ttlSeconds: Math.max(1, Math.ceil(timeout / 1000)) });
    case 'zookeeper':
      return new ZooKeeperElection(storeUrl, timeout === undefined ? {} : { sessionTimeoutMs: timeout });
    case 'postgres':
      // Renew four times per lease, so one slow round trip does not cost the lease; standbys look twice as often.
      return new PostgresElection(storeUrl, timeout === undefined ? {} : { leaseMs: timeout, renewIntervalMs: timeout / 4, pollIntervalMs: timeout / 8 });
  }
}
