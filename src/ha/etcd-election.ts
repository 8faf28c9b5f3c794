/**
 * Leader election on etcd, sharing the store's URL and prefix: each candidate holds a key
 * P/election/<lease id> bound to its own lease (TTL 2 s by default); the key with the
 * lowest create revision leads. The winner raises P/epoch in the same transaction that
 * checks its key still exists, so the epoch moves only while it really leads.
 *
 * Takeover after a leader dies (SIGKILL) or stops (SIGSTOP): its keep-alives stop, etcd
 * expires the lease after the TTL (checked every 500 ms), the deletion reaches the next
 * candidate by watch: about TTL + 0.5 s, under 3 s with the default. A leader whose
 * keep-alives go unanswered steps down (`lost`) just before its lease could expire.
 */
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import { createEtcdClient } from '../store/etcd/client.js';
import { Candidacy, type CandidateValue } from '../store/etcd/candidacy.js';
import { raiseEpoch } from '../store/etcd/epoch.js';
import { Keys, prefixEnd } from '../store/etcd/keys.js';
import { toOp } from '../store/etcd/kv.js';
import { parseEtcdUrl } from '../store/etcd/url.js';
import type { LeaderElection, Leadership, Member } from './types.js';

export interface EtcdElectionOptions {
  /** Lease TTL in whole seconds (etcd's unit): how long a dead leader keeps leading. */
  ttlSeconds?: number;
}

export const DEFAULT_TTL_SECONDS = 2;
/** Re-check the candidates this often even without a watch event (watch reconnecting). */
const RECHECK_MS = 1000;
const RETRY_MS = 250;

const value = (kv: IKeyValue): CandidateValue => JSON.parse(kv.value.toString('utf8')) as CandidateValue;

export class EtcdElection implements LeaderElection {
  private readonly keys: Keys;
  private readonly client: Etcd3;
  readonly ttlSeconds: number;
  private readonly candidacies = new Set<Candidacy>();
  private watcher: Promise<Watcher> | null = null;
  private readonly wake = new Set<() => void>();
  private closed = false;

  /** `url`: the etcd store's URL (etcd://host:port/prefix), so the epoch raised is the store's. */
  constructor(url: string, options: EtcdElectionOptions = {}) {
    const config = parseEtcdUrl(url);
    this.keys = new Keys(config.prefix);
    this.client = createEtcdClient(config);
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    if (!Number.isInteger(this.ttlSeconds) || this.ttlSeconds < 1) throw new Error('etcd lease TTL must be a whole number of seconds >= 1');
  }

  async campaign(self: Member, signal?: AbortSignal): Promise<Leadership> {
    for (;;) {
      this.checkOpen(signal);
      let candidacy: Candidacy;
      try {
        candidacy = await Candidacy.stand(this.client, this.keys.election, this.ttlSeconds, { id: self.id, url: self.url });
      } catch {
        await this.pause(RETRY_MS, signal); // etcd unreachable: keep trying until aborted
        continue;
      }
      this.candidacies.add(candidacy);
      void candidacy.ended.then(() => {
        this.candidacies.delete(candidacy);
        this.wakeAll();
      });
      try {
        const epoch = await this.waitToLead(self, candidacy, signal);
        if (epoch !== null) {
          return {
            epoch,
            lost: candidacy.ended.then((reason) => ({ reason })),
            resign: () => candidacy.finish('resigned'),
          };
        }
      } catch (e) {
        await candidacy.finish('campaign aborted');
        throw e;
      }
      await candidacy.finish('candidacy ended before it led');
    }
  }

  async leader(): Promise<(Member & { epoch: number }) | null> {
    const first = (await this.candidates())[0];
    const v = first && value(first);
    return v && v.epoch ? { id: v.id, url: v.url, epoch: v.epoch } : null;
  }

  async members(): Promise<Member[]> {
    return (await this.candidates()).map((kv) => {
      const { id, url } = value(kv);
      return { id, url };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeAll();
    await Promise.all([...this.candidacies].map((c) => c.finish('election closed')));
    if (this.watcher) await (await this.watcher.catch(() => null))?.cancel().catch(() => undefined);
    this.client.close();
  }

  /** Resolves with the new epoch once `candidacy` leads, or null if it ended first. */
  private async waitToLead(self: Member, candidacy: Candidacy, signal?: AbortSignal): Promise<number | null> {
    this.watchDeletes();
    while (!candidacy.isOver) {
      this.checkOpen(signal);
      try {
        const all = await this.candidates();
        if (!all.some((kv) => kv.key.toString('utf8') === candidacy.key)) return null;
        if (!all.some((kv) => Number(kv.create_revision) < candidacy.createRevision)) {
          const key = Buffer.from(candidacy.key);
          return await raiseEpoch(this.client, this.keys, self.id, Date.now(), {
            compares: [{ key, target: 'Create', result: 'Equal', create_revision: candidacy.createRevision }],
            puts: (epoch) => [toOp([candidacy.key, JSON.stringify({ id: self.id, url: self.url, epoch })], candidacy.leaseId)],
          });
        }
      } catch {
        // etcd unreachable for a moment: the lease watchdog decides when the candidacy is over.
      }
      await this.pause(RECHECK_MS, signal);
    }
    return null;
  }

  private async candidates(): Promise<IKeyValue[]> {
    const res = await this.client.kv.range({
      key: Buffer.from(this.keys.election),
      range_end: Buffer.from(prefixEnd(this.keys.election)),
      sort_target: 'Create',
      sort_order: 'Ascend',
    });
    return res.kvs;
  }

  /** One watch per election: any deletion under the prefix wakes every waiting candidate. */
  private watchDeletes(): void {
    if (this.watcher) return;
    this.watcher = this.client.watch().prefix(this.keys.election).create();
    this.watcher.then(
      (w) => w.on('delete', () => this.wakeAll()).on('error', () => undefined),
      () => (this.watcher = null),
    );
  }

  /** Sleep `ms`, cut short by a watched deletion or close(); rejects when `signal` aborts. */
  private pause(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.wake.delete(done);
        signal?.removeEventListener('abort', abort);
        resolve();
      };
      const abort = () => {
        done();
        reject(signal!.reason);
      };
      const timer = setTimeout(done, ms);
      this.wake.add(done);
      signal?.addEventListener('abort', abort, { once: true });
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.wake]) wake();
  }

  private checkOpen(signal?: AbortSignal): void {
    signal?.throwIfAborted();
    if (this.closed) throw new Error('etcd election closed');
  }
}
