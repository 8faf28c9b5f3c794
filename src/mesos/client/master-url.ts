/** Master addresses: candidates are base URLs (`http://h1:5050`); the SUBSCRIBE and call endpoint hangs off them. */

export const SCHEDULER_PATH = '/api/v1/scheduler';

/** `h1:5050`, `http://h1:5050/` → `http://h1:5050`. A path prefix (a proxy) is kept. */
export function normalizeMasterUrl(address: string): string {
  const trimmed = address.trim();
  if (trimmed === '') throw new Error('empty master address');
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`);
  if (url.protocol === 'zk:') {
    throw new Error(`${trimmed}: a zk:// address is the whole master list (the ZooKeeper detector), not one entry of a list`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${trimmed}: master URLs must be http or https`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function schedulerEndpoint(base: string): string {
  return `${base}${SCHEDULER_PATH}`;
}

/**
 * A non-leading master answers 307 with a scheme-relative `Location: //leader:5050/master/api/v1/scheduler`
 * (docs/mesos.md#redirects); resolving it against the current URL supplies the scheme.
 */
export function resolveRedirect(location: string, current: string): string {
  const next = new URL(location, current);
  if (next.pathname === '/') next.pathname = new URL(current).pathname;
  return next.href;
}

export function originOf(url: string): string {
  return new URL(url).origin;
}
