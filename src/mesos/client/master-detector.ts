/**
 * Where the masters are. SchedulerConnection asks `candidates()` before every connection
 * round and drops its stream when a change no longer lists the master it is attached to.
 *
 * Two detectors: a fixed URL list (here) and ZooKeeper (zookeeper-detector.ts);
 * `detectorFor` (detector-for.ts) picks one from the address the user gave.
 */
import { normalizeMasterUrl } from './master-url.js';

export interface MasterDetector {
  /** Base URLs of the masters to try, the likeliest leader first. */
  candidates(): readonly string[];
  /** Called with the new candidates whenever they change; returns the unsubscribe function. */
  onChange(listener: (candidates: readonly string[]) => void): () => void;
  /** Release what the detector holds (a ZooKeeper session). */
  close?(): void;
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
