/** Pick the Store implementation from a URL: sqlite:PATH (the default, under the data dir). */
import { isAbsolute, join, resolve } from 'node:path';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

export class StoreUrlError extends Error {}

export function defaultStoreUrl(dataDir: string): string {
  return `sqlite:${join(dataDir, 'moroccron.db')}`;
}

export function openStore(url: string): Store {
  const scheme = url.slice(0, url.indexOf(':') + 1);
  switch (scheme) {
    case 'sqlite:': {
      const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
      if (path === '') throw new StoreUrlError('store URL sqlite: needs a path, e.g. sqlite:/var/lib/moroccron/moroccron.db');
      return new SqliteStore(path === ':memory:' || isAbsolute(path) ? path : resolve(path));
    }
    case 'postgres:':
    case 'postgresql:':
    case 'zk:':
    case 'etcd:':
      throw new StoreUrlError(`store ${scheme}// is not available in this version; use sqlite:PATH`);
    default:
      throw new StoreUrlError(`unknown store URL "${url}": use sqlite:PATH`);
  }
}
