/**
 * The etcd store (etcd 3.4+): `etcd://host:port[,host:port]/prefix[?history=N&maxTxnOps=N]`.
 * Key layout: see keys.ts.
 *
 * Writes are fenced like every store's: each transaction compares P/epoch with the
 * writer's epoch. A batch is one transaction when it fits etcd's limits (--max-txn-ops,
 * 128 by default, and 1.5 MiB per request; a claim takes 5 keys, so about 25 claims). A
 * larger batch is committed as several transactions, in op order, each fenced on its own:
 * if the epoch moves midway, a prefix of the batch has been applied and the rest refused
 * with FencedError. The scheduler emits each job's claims before the cursor that covers
 * them, so a prefix never advances a cursor past a run it did not claim.
 *
 * Bounded history (etcd keeps every key in memory and refuses databases over its quota):
 * at most `history` finished runs per job (default 100) stay in etcd; each write that
 * finishes a run removes that job's oldest finished runs beyond the cap and reports them
 * in evictedRunIds. Unfinished runs are never removed. A run is about 1 KiB over its 5 keys,
 * so jobs x history x 1 KiB bounds the space runs take. Longer history goes to a run
 * archive in SQLite or PostgreSQL (`--history-store`, see history/tiered-store.ts).
 *
 * The audit log is bounded too: the newest AUDIT_KEEP (10,000) entries stay, each cut to
 * MAX_AUDIT_BYTES (see access.ts). Tokens and their audit lines are written by writeAccess,
 * with no epoch compare.
 *
 * One writer per epoch is assumed (the leader); this object serialises its own writes.
 */
import type { Etcd3 } from 'etcd3';
import type { AccessOp, Millis, Run, StoreOp, StoredJob, StoredOwner, StoredToken } from '../../core/types.js';
import {
  decodeRunCursor,
  encodeRunCursor,
  FencedError,
  type AuditPage,
  type AuditQuery,
  type BlacklistEntry,
  type LoadedState,
  type RunPage,
  type RunQuery,
  type Store,
  type WriteResult,
} from '../types.js';
import { accessMutations, auditBeyondCap, readAudit, readToken, readTokens } from './access.js';
import { createEtcdClient } from './client.js';
import { raiseEpoch } from './epoch.js';
import { Keys, padTime, parseJob, parseRun, parseTimeId, prefixEnd } from './keys.js';
import { commitFenced, commitUnfenced, count, getMany, range, type Mutation } from './kv.js';
import { listNotices } from './notices.js';
import { pack, type Chunk } from './pack.js';
import { parseEtcdUrl, type EtcdConfig } from './url.js';
import { View } from './view.js';
import { readsFor, WritePlanner, type PlannedOp } from './write-plan.js';

/** A claim key taken by someone else between our read and our commit, this many times in a row, is an error. */
const MAX_CONFLICTS = 5;

/** One key's change as a planned op of its own, for pack. */
const asPlanned = (mutation: Mutation): PlannedOp => ({ mutations: [mutation], absent: [], removed: [] });

const byTimeThenId = (a: Run, b: Run): number => a.scheduledAt - b.scheduledAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class EtcdStore implements Store {
  readonly description: string;
  readonly keys: Keys;
  private readonly client: Etcd3;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly config: EtcdConfig) {
    this.description = config.description;
    this.keys = new Keys(config.prefix);
    this.client = createEtcdClient(config);
  }

  async init(): Promise<void> {
    await this.client.kv.range({ key: Buffer.from(this.keys.epoch) });
  }

  async beginEpoch(owner: string, now: Millis): Promise<number> {
    return (await raiseEpoch(this.client, this.keys, owner, now))!;
  }

  /** Everything as of one revision. */
  async loadState(): Promise<LoadedState> {
    const k = this.keys;
    const jobs = await range(this.client, k.jobs, prefixEnd(k.jobs));
    const revision = jobs.revision;
    const [active, owners, notices] = await Promise.all([
      range(this.client, k.active, prefixEnd(k.active), { keysOnly: true, revision }),
      range(this.client, k.owners, prefixEnd(k.owners), { revision }),
      listNotices(this.client, k.notices, revision),
    ]);
    const ids = active.entries.map((e) => e.key.slice(k.active.length));
    return {
      jobs: jobs.entries.map((e) => parseJob(e.value)),
      activeRuns: (await this.runsById(ids, revision)).sort(byTimeThenId),
      owners: owners.entries.map((e) => JSON.parse(e.value) as StoredOwner),
      notices,
    };
  }

  write(epoch: number, ops: StoreOp[]): Promise<WriteResult> {
    return this.serial(async () => {
      const result: WriteResult = { accepted: [], refused: [], removedRunIds: [], evictedRunIds: [] };
      const finishedJobs = new Set<string>();
      let done = 0;
      for (let conflicts = 0; ; conflicts++) {
        if (conflicts > MAX_CONFLICTS) throw new Error(`etcd store: claims kept conflicting with another writer of epoch ${epoch}`);
        const rest = ops.slice(done);
        const planner = new WritePlanner(this.keys, await this.readView(rest));
        const planned = rest.map((op) => planner.plan(op));
        const committed = await this.commitAll(epoch, planned, (op) => {
          if (op.accepted) result.accepted.push(op.accepted);
          if (op.refused) result.refused.push(op.refused);
          if (op.finishedJob) finishedJobs.add(op.finishedJob);
          result.removedRunIds.push(...op.removed);
        });
        done += committed;
        if (done === ops.length) break;
      }
      try {
        for (const job of finishedJobs) result.evictedRunIds.push(...(await this.enforceCap(epoch, job)));
        if (ops.some((op) => op.op === 'put-audit')) {
          const beyondCap = await auditBeyondCap(this.client, this.keys);
          if (beyondCap.length > 0) await this.commitAll(epoch, beyondCap.map(asPlanned), () => {});
        }
      } catch (e) {
        // The batch itself committed; the next write of this ex-leader will be refused.
        if (!(e instanceof FencedError)) throw e;
      }
      return result;
    });
  }

  /** No epoch compare: tokens and their audit lines are not scheduler state. One transaction when it fits etcd's limits. */
  async writeAccess(ops: AccessOp[]): Promise<void> {
    await this.commitUnfenced(await accessMutations(this.client, this.keys, this.config.maxTxnOps, ops));
    await this.commitUnfenced(await auditBeyondCap(this.client, this.keys));
  }

  getToken(id: string): Promise<StoredToken | null> {
    return readToken(this.client, this.keys, id);
  }

  listTokens(): Promise<StoredToken[]> {
    return readTokens(this.client, this.keys);
  }

  listAudit(query: AuditQuery): Promise<AuditPage> {
    return readAudit(this.client, this.keys, query);
  }

  async listJobs(): Promise<StoredJob[]> {
    const { entries } = await range(this.client, this.keys.jobs, prefixEnd(this.keys.jobs));
    return entries.map((e) => parseJob(e.value));
  }

  async getJob(name: string): Promise<StoredJob | null> {
    const raw = await this.client.get(this.keys.job(name)).string();
    return raw === null ? null : parseJob(raw);
  }

  async listOwners(): Promise<StoredOwner[]> {
    const { entries } = await range(this.client, this.keys.owners, prefixEnd(this.keys.owners));
    return entries.map((e) => JSON.parse(e.value) as StoredOwner);
  }

  async getOwner(name: string): Promise<StoredOwner | null> {
    const raw = await this.client.get(this.keys.owner(name)).string();
    return raw === null ? null : (JSON.parse(raw) as StoredOwner);
  }

  async getRun(id: string): Promise<Run | null> {
    const raw = await this.client.get(this.keys.run(id)).string();
    return raw === null ? null : parseRun(raw);
  }

  async listRuns(query: RunQuery): Promise<RunPage> {
    const k = this.keys;
    const base = query.job !== undefined ? k.jobRuns(query.job) : k.times;
    const start = query.since !== undefined ? `${base}${padTime(Math.max(0, Math.ceil(query.since)))}` : base;
    const after = query.cursor ? decodeRunCursor(query.cursor) : null;
    let end = after ? `${base}${padTime(after.scheduledAt)}/${after.id}` : prefixEnd(base);
    const statuses = query.status && query.status.length > 0 ? new Set<string>(query.status) : null;
    const want = query.limit + 1;
    const pageSize = Math.min(Math.max(want, 64), 1000);
    const ids: string[] = [];
    let revision: string | undefined;
    // Index values are statuses, so the status filter needs no run bodies.
    while (ids.length < want && start < end) {
      const page = await range(this.client, start, end, { limit: pageSize, descend: true, ...(revision ? { revision } : {}) });
      revision ??= page.revision;
      for (const e of page.entries) {
        if (!statuses || statuses.has(e.value)) ids.push(parseTimeId(e.key.slice(base.length)).id);
        if (ids.length === want) break;
      }
      if (page.entries.length < pageSize) break;
      end = page.entries[page.entries.length - 1]!.key;
    }
    const runs = await this.runsById(ids.slice(0, query.limit), revision);
    const nextCursor = ids.length > query.limit && runs.length > 0 ? encodeRunCursor(runs[runs.length - 1]!) : null;
    return { runs, nextCursor };
  }

  async getMeta(key: string): Promise<string | null> {
    return this.client.get(this.keys.metaKey(key)).string();
  }

  async listBlacklist(): Promise<BlacklistEntry[]> {
    const k = this.keys;
    const { entries } = await range(this.client, k.blacklists, prefixEnd(k.blacklists));
    return entries.map((e) => {
      const { reason, since } = JSON.parse(e.value) as { reason: string; since: Millis };
      return { agent: e.key.slice(k.blacklists.length), reason, since };
    });
  }

  async close(): Promise<void> {
    this.client.close();
  }

  private async commitUnfenced(mutations: Mutation[]): Promise<void> {
    for (const chunk of pack(mutations.map(asPlanned), this.config.maxTxnOps)) await commitUnfenced(this.client, [...chunk.mutations]);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async readView(ops: StoreOp[]): Promise<View> {
    const { points, prefixes, withRunBodies, keyRanges } = readsFor(ops, this.keys);
    const [values, ...listings] = await Promise.all([
      getMany(this.client, points, this.config.maxTxnOps),
      ...prefixes.map((p) => range(this.client, p, prefixEnd(p))),
      ...keyRanges.map(([start, end]) => range(this.client, start, end, { keysOnly: true })),
    ]);
    for (const listing of listings) for (const e of listing.entries) values.set(e.key, e.value);
    const bodies = withRunBodies.flatMap((prefix) =>
      listings[prefixes.indexOf(prefix)]!.entries.map((e) => this.keys.run(parseTimeId(e.key.slice(prefix.length)).id)),
    );
    if (bodies.length > 0) for (const [key, value] of await getMany(this.client, bodies, this.config.maxTxnOps)) values.set(key, value);
    return new View(values);
  }

  /**
   * Commits the planned ops in order; `onDone` sees each op once all of it has landed.
   * Returns how many ops landed before a claim conflict (all of them when none).
   * Always commits at least once, so even a batch with nothing to change is fenced.
   */
  private async commitAll(epoch: number, planned: PlannedOp[], onDone: (op: PlannedOp) => void): Promise<number> {
    const chunks: Chunk[] = pack(planned, this.config.maxTxnOps);
    if (chunks.length === 0) chunks.push({ mutations: new Map(), absent: new Set(), bytes: 0, completes: [] });
    let landed = 0;
    for (const chunk of chunks) {
      if (!(await commitFenced(this.client, this.keys.epoch, epoch, [...chunk.mutations], [...chunk.absent]))) break;
      for (const i of chunk.completes) onDone(planned[i]!);
      landed += chunk.completes.length;
    }
    return landed;
  }

  private async removeRuns(epoch: number, runs: Run[]): Promise<string[]> {
    const planned = runs.map((run): PlannedOp => ({
      mutations: [...this.keys.runEntries(run).keys()].map((key) => [key, null]),
      absent: [],
      removed: [run.id],
    }));
    const removed: string[] = [];
    await this.commitAll(epoch, planned, (op) => removed.push(...op.removed));
    return removed;
  }

  /** The hard cap: at most config.history finished runs of a job stay in etcd. */
  private async enforceCap(epoch: number, job: string): Promise<string[]> {
    const prefix = this.keys.done(job);
    const finished = await count(this.client, prefix, prefixEnd(prefix));
    if (finished <= this.config.history) return [];
    const oldest = await range(this.client, prefix, prefixEnd(prefix), { keysOnly: true, limit: finished - this.config.history });
    const runs = await this.runsById(oldest.entries.map((e) => parseTimeId(e.key.slice(prefix.length)).id), oldest.revision);
    return this.removeRuns(epoch, runs);
  }

  /** Run bodies in the order of `ids`, skipping any that are gone. */
  private async runsById(ids: string[], revision?: string): Promise<Run[]> {
    const bodies = await getMany(this.client, ids.map(this.keys.run), this.config.maxTxnOps, revision);
    return ids.flatMap((id) => {
      const raw = bodies.get(this.keys.run(id));
      return raw ? [parseRun(raw)] : [];
    });
  }
}

export async function openEtcdStore(url: string): Promise<EtcdStore> {
  const store = new EtcdStore(parseEtcdUrl(url));
  try {
    await store.init();
  } catch (e) {
    await store.close();
    throw new Error(`cannot reach etcd at ${store.description}: ${(e as Error).message}`);
  }
  return store;
}
