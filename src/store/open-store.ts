/** Pick the Store implementation from a URL: sqlite:PATH (the default, under the data dir). */
import { isAbsolute, join, resolve } from 'node:path';
import { openEtcdStore } from './etcd/etcd-store.js';
import { TieredStore } from './history/tiered-store.js';
import { openPostgresStore, type PostgresStore } from './postgres/postgres-store.js';
import { withDiskSpace } from './sqlite/disk-space.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { openZooKeeperStore } from './zookeeper/zookeeper-store.js';
import type { Store } from './types.js';

export class StoreUrlError extends Error {}

export function defaultStoreUrl(dataDir: string): string {
  return `sqlite:${join(dataDir, 'moroccron.db')}`;
}

export type StoreKind = 'sqlite' | 'postgres' | 'zookeeper' | 'etcd';

export function storeKindOf(url: string): StoreKind {
  const scheme = url.slice(0, url.indexOf(':') + 1);
  switch (scheme) {
    case 'sqlite:':
      return 'sqlite';
    case 'postgres:':
    case 'postgresql:':
      return 'postgres';
    case 'zk:':
      return 'zookeeper';
    case 'etcd:':
      return 'etcd';
    default:
      throw new StoreUrlError(`unknown store URL "${url}": use sqlite:PATH, postgres://..., zk://host:2181/path or etcd://host:2379/prefix`);
  }
}

export interface OpenStoreOptions {
  /** A SQLite or PostgreSQL URL where a ZooKeeper or etcd store keeps its full run history. */
  historyUrl?: string;
  /** Told when the run archive cannot be reached (the scheduler carries on without it). */
  warn?: (message: string, error?: unknown) => void;
}

/** A store ready to use: connected, and its schema or layout created or migrated. */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (options.historyUrl === undefined) return openOne(url);
  const kind = storeKindOf(url);
  if (kind !== 'zookeeper' && kind !== 'etcd') {
    throw new StoreUrlError(`a history store is for zk:// and etcd:// stores, which cap history; ${kind} keeps full history itself`);
  }
  if (!/^(sqlite|postgres|postgresql):/.test(options.historyUrl)) {
    throw new StoreUrlError(`history store "${options.historyUrl}" must be sqlite:PATH or postgres://...`);
  }
  const archive = (await openOne(options.historyUrl)) as SqliteStore | PostgresStore;
  try {
    return new TieredStore(await openOne(url), archive, { warn: options.warn ?? (() => {}) });
  } catch (error) {
    await archive.close();
    throw error;
  }
}

async function openOne(url: string): Promise<Store> {
  switch (storeKindOf(url)) {
    case 'sqlite': {
      const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
      if (path === '') throw new StoreUrlError('store URL sqlite: needs a path, e.g. sqlite:/var/lib/moroccron/moroccron.db');
      const file = path === ':memory:' || isAbsolute(path) ? path : resolve(path);
      try {
        return new SqliteStore(file);
      } catch (error) {
        throw withDiskSpace(file, error);
      }
    }
    case 'etcd':
      return openEtcdStore(url);
    case 'zookeeper':
      return openZooKeeperStore(url);
    case 'postgres':
      return openPostgresStore(url);
  }
}
