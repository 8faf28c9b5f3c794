/** etcd://[user:password@]host:port[,host:port]/prefix[?history=N&maxTxnOps=N] */

export interface EtcdConfig {
  hosts: string[];
  /** Every key lives under it; never ends with "/". */
  prefix: string;
  auth: { username: string; password: string } | null;
  /** Finished runs kept per job (the hard cap). */
  history: number;
  /** The server's --max-txn-ops (128 unless etcd was started with another value). */
  maxTxnOps: number;
  /** The URL without credentials. */
  description: string;
}

export const DEFAULT_HISTORY = 100;
export const DEFAULT_MAX_TXN_OPS = 128;

const URL_PATTERN = /^etcd:\/\/(?:([^@/]*)@)?([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?$/;

function positiveInt(params: URLSearchParams, name: string, fallback: number, min: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`etcd store URL: ${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

export function parseEtcdUrl(url: string): EtcdConfig {
  const m = URL_PATTERN.exec(url);
  if (!m) throw new Error('etcd store URL must look like etcd://host:port[,host:port]/prefix');
  const [, userInfo, hostList, rawPath, query] = m;
  const hosts = hostList!.split(',').map((h) => h.trim()).filter(Boolean);
  if (hosts.length === 0 || hosts.some((h) => !/^[^:\s]+:\d+$/.test(h) && !/^\[[^\]]+\]:\d+$/.test(h))) {
    throw new Error(`etcd store URL: hosts must be host:port, got "${hostList}"`);
  }
  const prefix = `/${(rawPath ?? '').split('/').filter(Boolean).map(decodeURIComponent).join('/')}`.replace(/^\/$/, '/moroccron');
  let auth: EtcdConfig['auth'] = null;
  if (userInfo) {
    const colon = userInfo.indexOf(':');
    auth = {
      username: decodeURIComponent(colon < 0 ? userInfo : userInfo.slice(0, colon)),
      password: decodeURIComponent(colon < 0 ? '' : userInfo.slice(colon + 1)),
    };
  }
  const params = new URLSearchParams(query ?? '');
  return {
    hosts,
    prefix,
    auth,
    history: positiveInt(params, 'history', DEFAULT_HISTORY, 1),
    maxTxnOps: positiveInt(params, 'maxTxnOps', DEFAULT_MAX_TXN_OPS, 16),
    description: `etcd://${hosts.join(',')}${prefix}`,
  };
}
