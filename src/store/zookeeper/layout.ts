/**
 * Where everything lives under the store's base path. Names that come from users (jobs,
 * owners, run and notice IDs, claim keys, meta keys, agents) are URI-encoded into single
 * path segments.
 *
 *   <base>/epoch                      {epoch, owner, since}; the znode's version IS the epoch
 *   <base>/jobs/<job>                 {spec, cursor, createdAt, updatedAt, progress}
 *   <base>/owners/<owner>             {spec, createdAt, updatedAt}
 *   <base>/notices/<notice id>        {position, notice}: the outbox, ordered by creation zxid, then position (notices.ts)
 *   <base>/runs/<job>/<run>           one run (never a list of runs)
 *   <base>/keys/<job>/<claim key>     the run ID holding the key; NODE_EXISTS = claim refused
 *   <base>/active/<job>@<run>         empty: the unfinished runs, for loadState
 *   <base>/meta/<key>                 the value
 *   <base>/blacklist/<agent>          {reason, since}
 *   <base>/tokens/<token id>          StoredToken
 *   <base>/audit/<at>@<entry id>      AuditEntry; <at> zero-padded to 16 digits (access.ts)
 *   <base>/election/member_<seq>      ephemeral sequential: {id, url} of a campaigning member
 */

export const TOP_LEVEL = ['jobs', 'runs', 'keys', 'active', 'meta', 'blacklist', 'election', 'owners', 'notices', 'tokens', 'audit'] as const;

const AT_DIGITS = 16;

/**
 * encodeURIComponent never yields "@" (our separator) nor "%2E", so mapping the segments ZooKeeper
 * forbids ("", ".", "..") onto "%2E"-forms keeps the encoding one-to-one.
 */
export function encodeSegment(text: string): string {
  if (text === '' || text === '.' || text === '..') return `%2E${text.replace(/\./g, '%2E')}`;
  return encodeURIComponent(text);
}

export function decodeSegment(segment: string): string {
  if (segment.startsWith('%2E')) return segment.slice(3).replace(/%2E/g, '.');
  return decodeURIComponent(segment);
}

export const parentOf = (path: string): string => path.slice(0, path.lastIndexOf('/'));
export const nameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
export const depthOf = (path: string): number => path.split('/').length;

export class ZkLayout {
  /** "" for the root, else "/a/b" without a trailing slash. */
  readonly base: string;

  constructor(base: string) {
    this.base = base === '/' ? '' : base.replace(/\/+$/, '');
  }

  get root(): string {
    return this.base || '/';
  }
  dir(name: (typeof TOP_LEVEL)[number]): string {
    return `${this.base}/${name}`;
  }
  get epoch(): string {
    return `${this.base}/epoch`;
  }
  job(name: string): string {
    return `${this.dir('jobs')}/${encodeSegment(name)}`;
  }
  owner(name: string): string {
    return `${this.dir('owners')}/${encodeSegment(name)}`;
  }
  notice(id: string): string {
    return `${this.dir('notices')}/${encodeSegment(id)}`;
  }
  runsOf(job: string): string {
    return `${this.dir('runs')}/${encodeSegment(job)}`;
  }
  run(job: string, id: string): string {
    return `${this.runsOf(job)}/${encodeSegment(id)}`;
  }
  keysOf(job: string): string {
    return `${this.dir('keys')}/${encodeSegment(job)}`;
  }
  key(job: string, key: string): string {
    return `${this.keysOf(job)}/${encodeSegment(key)}`;
  }
  active(job: string, id: string): string {
    return `${this.dir('active')}/${encodeSegment(job)}@${encodeSegment(id)}`;
  }
  meta(key: string): string {
    return `${this.dir('meta')}/${encodeSegment(key)}`;
  }
  blacklisted(agent: string): string {
    return `${this.dir('blacklist')}/${encodeSegment(agent)}`;
  }
  get election(): string {
    return this.dir('election');
  }
  token(id: string): string {
    return `${this.dir('tokens')}/${encodeSegment(id)}`;
  }
  audit(entry: { at: number; id: string }): string {
    if (!Number.isSafeInteger(entry.at) || entry.at < 0 || String(entry.at).length > AT_DIGITS) {
      throw new RangeError(`ZooKeeper store: an audit entry's time must be a non-negative integer of at most ${AT_DIGITS} digits, got ${entry.at}`);
    }
    return `${this.dir('audit')}/${String(entry.at).padStart(AT_DIGITS, '0')}@${encodeSegment(entry.id)}`;
  }
}

/** The time and id of an audit entry's name. */
export function parseAuditName(name: string): { at: number; id: string } | null {
  const at = name.indexOf('@');
  if (at < 0) return null;
  return { at: Number(name.slice(0, at)), id: decodeSegment(name.slice(at + 1)) };
}

/** The job and run ID of an active-index entry's name. */
export function parseActiveName(name: string): { job: string; id: string } | null {
  const at = name.indexOf('@');
  if (at < 0) return null;
  return { job: decodeSegment(name.slice(0, at)), id: decodeSegment(name.slice(at + 1)) };
}
