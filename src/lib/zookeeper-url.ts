/** `zk://[user:password@]host:2181[,host2:2181]/path`, as Mesos master detection and the ZooKeeper store both take it. */

export interface ZooKeeperUrl {
  /** host:port[,host:port] as the ZooKeeper client takes it. */
  connectString: string;
  /** The znode path, without a trailing slash ("/" for the root). */
  path: string;
  /** `user:password` for digest auth, if the URL has one. */
  auth: string | null;
}

export function parseZooKeeperUrl(url: string): ZooKeeperUrl {
  const m = /^zk:\/\/(?:([^@/]+)@)?([^/]+)(\/.*)?$/.exec(url.trim());
  if (!m) throw new Error(`"${url}" is not a ZooKeeper URL (zk://host:2181[,host2:2181]/mesos)`);
  const path = (m[3] ?? '/').replace(/\/+$/, '') || '/';
  return { connectString: m[2]!, path, auth: m[1] ?? null };
}
