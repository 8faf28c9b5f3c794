/** `zk://[user:pass@]host:port[,host:port]/path[?history=100]` for the ZooKeeper store. */
import { parseZooKeeperUrl } from '../../lib/zookeeper-url.js';

/** Finished runs kept per job in ZooKeeper unless `?history=` says otherwise. */
export const DEFAULT_HISTORY = 100;

export interface ZooKeeperStoreUrl {
  connectString: string;
  path: string;
  auth: string | null;
  history: number;
  /** The URL without credentials. */
  description: string;
}

export function parseStoreUrl(url: string): ZooKeeperStoreUrl {
  const [base = '', query = ''] = url.trim().split('?', 2);
  const { connectString, path, auth } = parseZooKeeperUrl(base);
  const params = new URLSearchParams(query);
  for (const name of params.keys()) if (name !== 'history') throw new Error(`${url}: unknown parameter "${name}" (only history=N)`);
  const raw = params.get('history');
  const history = raw === null ? DEFAULT_HISTORY : Number(raw);
  if (!Number.isInteger(history) || history < 1) throw new Error(`${url}: history must be a whole number of runs, at least 1`);
  const description = `zk://${connectString}${path === '/' ? '' : path}${raw === null ? '' : `?history=${history}`}`;
  return { connectString, path, auth, history, description };
}
