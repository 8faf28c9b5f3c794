/**
 * The key layout under the store's prefix P:
 *
 *   P/epoch                          fencing epoch, a decimal number
 *   P/leader                         {owner, since, epoch} of the last beginEpoch
 *   P/election/<lease id>            election candidates (lease-bound), see src/ha/etcd-election.ts
 *   P/jobs/<name>                    StoredJob JSON
 *   P/owners/<name>                  StoredOwner JSON
 *   P/notices/<id>                   {position, notice}: the outbox, ordered by create revision, then position (notices.ts)
 *   P/meta/<key>                     meta value
 *   P/blacklist/<agent>              {reason, since}
 *   P/runs/<id>                      Run JSON: the only copy of a run
 *   P/time/<ts>/<id>                 status: every run, by scheduledAt, across jobs
 *   P/job-runs/<job>/<ts>/<id>       status: every run of one job, by scheduledAt
 *   P/active/<id>                    job: runs not finished (loadState)
 *   P/done/<job>/<ts>/<id>           "": finished runs of one job (history cap, prune)
 *   P/keys/<job>/<key>               run id: the claim of (job, key); its existence refuses a second claim
 *   P/tokens/<id>                    StoredToken JSON
 *   P/audit/<ts>/<id>                AuditEntry JSON, <ts> its `at` (access.ts)
 *
 * <ts> is scheduledAt (or an audit entry's `at`) zero-padded to 16 digits, so byte order is
 * time order and "<ts>/<id>" orders like the (scheduledAt, id) run cursor. Job and owner
 * names cannot contain "/"; ids, keys, meta keys and agents may, as they always come last.
 */
import { ACTIVE_STATUSES } from '../run-row.js';
import { NO_PROGRESS, type Millis, type Run, type RunStatus, type StoredJob } from '../../core/types.js';

const TS_DIGITS = 16;
const ACTIVE: ReadonlySet<string> = new Set(ACTIVE_STATUSES);

export const isActive = (status: RunStatus): boolean => ACTIVE.has(status);

export function padTime(ts: Millis): string {
  if (!Number.isSafeInteger(ts) || ts < 0 || String(ts).length > TS_DIGITS) {
    throw new RangeError(`etcd store: scheduledAt must be a non-negative integer of at most ${TS_DIGITS} digits, got ${ts}`);
  }
  return String(ts).padStart(TS_DIGITS, '0');
}

/** A time from a query (since, a cursor) brought into the range padTime takes. */
export const clampTime = (ts: Millis): Millis => Math.min(Math.max(0, Math.ceil(ts)), 10 ** TS_DIGITS - 1);

/** "<ts>/<id>" back to its parts. */
export function parseTimeId(rest: string): { scheduledAt: Millis; id: string } {
  return { scheduledAt: Number(rest.slice(0, TS_DIGITS)), id: rest.slice(TS_DIGITS + 1) };
}

/** A run body (P/runs/<id>); fields added since (labels, causes, late, usage) default for runs stored before them. */
export function parseRun(raw: string): Run {
  const run = JSON.parse(raw) as Omit<Run, 'labels' | 'causes' | 'late' | 'usage'> & Partial<Pick<Run, 'labels' | 'causes' | 'late' | 'usage'>>;
  return { ...run, labels: run.labels ?? {}, causes: run.causes ?? [], late: run.late ?? false, usage: run.usage ?? null };
}

/** A job (P/jobs/<name>); jobs stored before progress existed read back with none. */
export function parseJob(raw: string): StoredJob {
  const job = JSON.parse(raw) as Omit<StoredJob, 'progress'> & Partial<Pick<StoredJob, 'progress'>>;
  return { ...job, progress: job.progress ?? structuredClone(NO_PROGRESS) };
}

/** The end of the range of keys starting with `prefix` (which ends in "/"). */
export const prefixEnd = (prefix: string): string => `${prefix.slice(0, -1)}0`;

export class Keys {
  readonly epoch: string;
  readonly leader: string;
  readonly election: string;
  readonly jobs: string;
  readonly owners: string;
  readonly notices: string;
  readonly meta: string;
  readonly blacklists: string;
  readonly times: string;
  readonly active: string;
  readonly tokens: string;
  readonly audits: string;

  constructor(readonly prefix: string) {
    this.epoch = `${prefix}/epoch`;
    this.leader = `${prefix}/leader`;
    this.election = `${prefix}/election/`;
    this.jobs = `${prefix}/jobs/`;
    this.owners = `${prefix}/owners/`;
    this.notices = `${prefix}/notices/`;
    this.meta = `${prefix}/meta/`;
    this.blacklists = `${prefix}/blacklist/`;
    this.times = `${prefix}/time/`;
    this.active = `${prefix}/active/`;
    this.tokens = `${prefix}/tokens/`;
    this.audits = `${prefix}/audit/`;
  }

  job = (name: string): string => `${this.jobs}${name}`;
  owner = (name: string): string => `${this.owners}${name}`;
  notice = (id: string): string => `${this.notices}${id}`;
  metaKey = (key: string): string => `${this.meta}${key}`;
  blacklist = (agent: string): string => `${this.blacklists}${agent}`;
  run = (id: string): string => `${this.prefix}/runs/${id}`;
  time = (ts: Millis, id: string): string => `${this.times}${padTime(ts)}/${id}`;
  jobRuns = (job: string): string => `${this.prefix}/job-runs/${job}/`;
  done = (job: string): string => `${this.prefix}/done/${job}/`;
  claims = (job: string): string => `${this.prefix}/keys/${job}/`;
  claim = (job: string, key: string): string => `${this.claims(job)}${key}`;
  activeRun = (id: string): string => `${this.active}${id}`;
  token = (id: string): string => `${this.tokens}${id}`;
  audit = (entry: { at: Millis; id: string }): string => `${this.audits}${padTime(entry.at)}/${entry.id}`;

  /** Every key a run occupies, with its value. */
  runEntries(run: Run): Map<string, string> {
    const at = `${padTime(run.scheduledAt)}/${run.id}`;
    const entries = new Map<string, string>([
      [this.run(run.id), JSON.stringify(run)],
      [`${this.times}${at}`, run.status],
      [`${this.jobRuns(run.job)}${at}`, run.status],
      [this.claim(run.job, run.key), run.id],
    ]);
    if (isActive(run.status)) entries.set(this.activeRun(run.id), run.job);
    else entries.set(`${this.done(run.job)}${at}`, '');
    return entries;
  }
}
