/**
 * Turns a batch of StoreOps into per-op key mutations, in order, against a View of what
 * the store holds (so a later op sees the earlier ones, as in one SQL transaction).
 */
import { isTerminal, type Run, type StoreOp, type StoredJob, type StoredOwner } from '../../core/types.js';
import { boundAuditEntry } from '../access-records.js';
import { clampTime, padTime, parseJob, parseRun, parseTimeId, type Keys } from './keys.js';
import type { Mutation } from './kv.js';
import { encodeNotice } from './notices.js';
import type { View } from './view.js';

export interface PlannedOp {
  mutations: Mutation[];
  /** Keys that must still be absent when the mutations apply (claims). */
  absent: string[];
  accepted?: string;
  refused?: string;
  removed: string[];
  /** A job that gained a finished run: the history cap is checked after the batch. */
  finishedJob?: string;
}

export interface Reads {
  points: string[];
  prefixes: string[];
  /** Listed prefixes of "<ts>/<id>" index keys whose runs' bodies are read too. */
  withRunBodies: string[];
  /** Keys (without values) in [start, end). */
  keyRanges: [start: string, end: string][];
}

/** The keys (point reads) and prefixes (listings) a batch needs to be planned. */
export function readsFor(ops: StoreOp[], keys: Keys): Reads {
  const points: string[] = [];
  const prefixes: string[] = [];
  const withRunBodies: string[] = [];
  const keyRanges: [string, string][] = [];
  for (const op of ops) {
    switch (op.op) {
      case 'claim-run':
        points.push(keys.claim(op.run.job, op.run.key));
        break;
      case 'update-run':
        points.push(keys.run(op.run.id));
        break;
      case 'put-job':
        points.push(keys.job(op.job.spec.name));
        break;
      case 'set-cursor':
      case 'set-progress':
        points.push(keys.job(op.job));
        break;
      case 'put-owner':
        points.push(keys.owner(op.owner.spec.name));
        break;
      case 'put-notice':
        points.push(keys.notice(op.notice.id));
        break;
      case 'delete-job':
        points.push(keys.job(op.name));
        prefixes.push(keys.jobRuns(op.name), keys.done(op.name), keys.claims(op.name));
        break;
      case 'blacklist-agent':
        points.push(keys.blacklist(op.agent));
        break;
      case 'prune-runs':
        prefixes.push(keys.done(op.job));
        withRunBodies.push(keys.done(op.job));
        break;
      case 'put-audit':
        points.push(keys.audit(op.entry));
        break;
      case 'prune-audit':
        // The entries from before `before`, which byte order puts first.
        if (op.before > 0) keyRanges.push([keys.audits, `${keys.audits}${padTime(clampTime(op.before))}`]);
        break;
      case 'put-meta':
      case 'unblacklist-agent':
      case 'delete-owner':
      case 'delete-notice':
        break;
    }
  }
  return { points, prefixes, withRunBodies, keyRanges };
}

const none = (): PlannedOp => ({ mutations: [], absent: [], removed: [] });

export class WritePlanner {
  /** Ops planned so far: a notice's position among those its transaction creates. */
  private position = 0;

  constructor(
    private readonly keys: Keys,
    private readonly view: View,
  ) {}

  plan(op: StoreOp): PlannedOp {
    const planned = this.planOne(op, this.position++);
    for (const [key, value] of planned.mutations) this.view.set(key, value);
    return planned;
  }

  private planOne(op: StoreOp, position: number): PlannedOp {
    const k = this.keys;
    switch (op.op) {
      case 'put-job': {
        const old = this.job(op.job.spec.name);
        const job: StoredJob = { ...op.job, createdAt: old ? old.createdAt : op.job.createdAt };
        return { ...none(), mutations: [[k.job(job.spec.name), JSON.stringify(job)]] };
      }
      case 'set-cursor': {
        const old = this.job(op.job);
        return old ? { ...none(), mutations: [[k.job(op.job), JSON.stringify({ ...old, cursor: op.cursor })]] } : none();
      }
      case 'set-progress': {
        const old = this.job(op.job);
        return old ? { ...none(), mutations: [[k.job(op.job), JSON.stringify({ ...old, progress: op.progress })]] } : none();
      }
      case 'delete-job':
        return this.deleteJob(op.name);
      case 'claim-run': {
        const claimKey = k.claim(op.run.job, op.run.key);
        const holder = this.view.get(claimKey);
        // Held by this very run: an earlier attempt of the batch committed and its answer was lost.
        if (holder === op.run.id) return { ...none(), accepted: op.run.id };
        if (holder !== null) return { ...none(), refused: op.run.id };
        return {
          ...none(),
          mutations: [...k.runEntries(op.run)],
          // Absent because this batch deleted it: nothing to compare, the epoch fences it.
          absent: this.view.absentInStore(claimKey) ? [claimKey] : [],
          accepted: op.run.id,
          ...(isTerminal(op.run.status) ? { finishedJob: op.run.job } : {}),
        };
      }
      case 'update-run':
        return this.updateRun(op.run);
      case 'put-meta':
        return { ...none(), mutations: [[k.metaKey(op.key), op.value]] };
      case 'blacklist-agent': {
        const old = this.view.get(k.blacklist(op.agent));
        // Like the SQL stores: re-blacklisting changes the reason, not the time it began.
        const since = old ? (JSON.parse(old) as { since: number }).since : op.since;
        return { ...none(), mutations: [[k.blacklist(op.agent), JSON.stringify({ reason: op.reason, since })]] };
      }
      case 'unblacklist-agent':
        return { ...none(), mutations: [[k.blacklist(op.agent), null]] };
      case 'prune-runs':
        return this.pruneRuns(op);
      case 'put-owner': {
        const raw = this.view.get(k.owner(op.owner.spec.name));
        const createdAt = raw ? (JSON.parse(raw) as StoredOwner).createdAt : op.owner.createdAt;
        return { ...none(), mutations: [[k.owner(op.owner.spec.name), JSON.stringify({ ...op.owner, createdAt })]] };
      }
      case 'delete-owner':
        return { ...none(), mutations: [[k.owner(op.name), null]] };
      case 'put-notice':
        // Present already (a replayed batch, or put twice): left as it is, keeping its place in the order.
        if (this.view.get(k.notice(op.notice.id)) !== null) return none();
        return { ...none(), mutations: [[k.notice(op.notice.id), encodeNotice(op.notice, position)]] };
      case 'delete-notice':
        return { ...none(), mutations: [[k.notice(op.id), null]] };
      case 'put-audit':
        // A replayed entry is present already: left as it is.
        if (this.view.get(k.audit(op.entry)) !== null) return none();
        return { ...none(), mutations: [[k.audit(op.entry), JSON.stringify(boundAuditEntry(op.entry))]] };
      case 'prune-audit': {
        // Listed without values (see readsFor): only the keys count here.
        const expired = this.view.keysUnder(k.audits).filter((key) => parseTimeId(key.slice(k.audits.length)).scheduledAt < op.before);
        return { ...none(), mutations: expired.map((key): Mutation => [key, null]) };
      }
    }
  }

  private job(name: string): StoredJob | null {
    const raw = this.view.get(this.keys.job(name));
    return raw ? parseJob(raw) : null;
  }

  private updateRun(run: Run): PlannedOp {
    const raw = this.view.get(this.keys.run(run.id));
    if (!raw) return none();
    const old = parseRun(raw);
    const before = this.keys.runEntries(old);
    const after = this.keys.runEntries(run);
    const mutations: Mutation[] = [...before.keys()].filter((key) => !after.has(key)).map((key): Mutation => [key, null]);
    for (const [key, value] of after) if (before.get(key) !== value) mutations.push([key, value]);
    const finished = isTerminal(run.status) && !isTerminal(old.status);
    return { ...none(), mutations, ...(finished ? { finishedJob: run.job } : {}) };
  }

  /** The job's finished runs beyond the newest `keep`, or finished before `now - maxAgeMs`, go with every key they occupy. */
  private pruneRuns(op: Extract<StoreOp, { op: 'prune-runs' }>): PlannedOp {
    const k = this.keys;
    const done = k.done(op.job);
    const before = op.now - op.maxAgeMs;
    const newestFirst = this.view
      .keysUnder(done)
      .reverse()
      .flatMap((key) => {
        const raw = this.view.get(k.run(parseTimeId(key.slice(done.length)).id));
        return raw === null ? [] : [parseRun(raw)];
      });
    const gone = newestFirst.filter((run, i) => i >= op.keep || (run.finishedAt !== null && run.finishedAt < before));
    const mutations = gone.flatMap((run) => [...k.runEntries(run).keys()].map((key): Mutation => [key, null]));
    return { ...none(), mutations, removed: gone.map((run) => run.id) };
  }

  /** The job first, then run bodies, then indexes: a fence midway leaves only index entries that readers skip. */
  private deleteJob(name: string): PlannedOp {
    const k = this.keys;
    const mutations: Mutation[] = [[k.job(name), null]];
    const removed: string[] = [];
    const indexes: Mutation[] = [];
    const jobRuns = k.jobRuns(name);
    for (const key of this.view.keysUnder(jobRuns)) {
      const { scheduledAt, id } = parseTimeId(key.slice(jobRuns.length));
      removed.push(id);
      mutations.push([k.run(id), null]);
      indexes.push([k.time(scheduledAt, id), null], [k.activeRun(id), null], [key, null]);
    }
    for (const key of [...this.view.keysUnder(k.done(name)), ...this.view.keysUnder(k.claims(name))]) indexes.push([key, null]);
    return { ...none(), mutations: [...mutations, ...indexes], removed };
  }
}
