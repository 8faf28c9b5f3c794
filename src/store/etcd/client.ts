/** One etcd3 client per store or election, with deadlines on every unary call. */
import { Etcd3 } from 'etcd3';
import type { EtcdConfig } from './url.js';

/** A unary call that takes longer than this fails instead of hanging while etcd is away. */
const CALL_TIMEOUT_MS = 3000;
/**
 * A broken watch stream reconnects this often. etcd3's default backoff grows to 30 s,
 * which delays a standby's takeover and keeps a closed client's timer alive as long.
 */
const WATCH_RETRY_MS = 500;
const watchBackoff = { duration: WATCH_RETRY_MS, next: () => watchBackoff };

export function createEtcdClient(config: EtcdConfig): Etcd3 {
  return new Etcd3({
    hosts: config.hosts.map((h) => `http://${h}`),
    ...(config.auth ? { auth: config.auth } : {}),
    dialTimeout: CALL_TIMEOUT_MS,
    faultHandling: { watchBackoff },
    // Streams (watches, lease keep-alives) live long; only unary calls get a deadline.
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + CALL_TIMEOUT_MS }),
  });
}
