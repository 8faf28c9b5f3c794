/**
 * Where the masters are. SchedulerConnection asks `candidates()` before every connection
 * round and drops its stream when a change no longer lists the master it is attached to.
 *
 * Only the URL-list detector exists today. The ZooKeeper detector (`zk://host:2181/mesos`:
 * watch the children of the path and take the lowest `json.info_*` node's MasterInfo,
 * API-FACTS §9.1) comes with the ZooKeeper test harness, because it can only be tested
 * against a real ZooKeeper server; until then a zk:// address is rejected with an error.
 */
import { normalizeMasterUrl } from './master-url.js';

export interface MasterDetector {
  /** Base URLs of the masters to try, the likeliest leader first. */
  candidates(): readonly string[];
  /** Called with the new candidates whenever they change; returns the unsubscribe function. */
  onChange(listener: (candidates: readonly string[]) => void): () => void;
}

/** `http://h1:5050,h2:5050` → `['http://h1:5050', 'http://h2:5050']`. */
export function parseMasterList(spec: string): string[] {
  const masters = spec
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(normalizeMasterUrl);
  if (masters.length === 0) throw new Error('no master addresses given');
  return [...new Set(masters)];
}

/** A fixed list; any master redirects to the leader, so order only matters for speed. */
export class UrlListMasterDetector implements MasterDetector {
  private readonly list: readonly string[];

  constructor(masters: string | readonly string[]) {
    this.list = typeof masters === 'string' ? parseMasterList(masters) : parseMasterList(masters.join(','));
  }

  candidates(): readonly string[] {
    return this.list;
  }

  onChange(): () => void {
    return () => {};
  }
}
