/**
 * One attempt at leadership: a lease, a key under the election prefix bound to it, and a
 * watchdog that declares the candidacy over as soon as the lease may have expired on the
 * server, so a leader stops before a successor can start.
 */
import type { Etcd3, Lease } from 'etcd3';
import { toOp } from './kv.js';

/** Step down this long before the lease could expire, for timer and scheduling lag. */
const SAFETY_MS = 250;
const WATCHDOG_MS = 100;

export interface CandidateValue {
  id: string;
  url: string;
  /** Set by the winner when it raises the epoch. */
  epoch?: number;
}

export class Candidacy {
  readonly ended: Promise<string>;
  private end!: (reason: string) => void;
  private over = false;
  private readonly watchdog: NodeJS.Timeout;
  /** The send time of the oldest keep-alive not yet answered: the lease lives at least TTL past an answered one. */
  private pendingSince: number | null = null;
  private refreshedAt: number;

  private constructor(
    readonly lease: Lease,
    readonly leaseId: string,
    readonly key: string,
    readonly createRevision: number,
    private readonly ttlMs: number,
    startedAt: number,
  ) {
    this.refreshedAt = startedAt;
    this.ended = new Promise((resolve) => (this.end = resolve));
    lease.on('keepaliveFired', () => (this.pendingSince ??= Date.now()));
    lease.on('keepaliveSucceeded', () => {
      this.refreshedAt = this.pendingSince ?? Date.now();
      this.pendingSince = null;
    });
    lease.on('lost', (err) => this.finish(`lease lost: ${err.message}`));
    this.watchdog = setInterval(() => {
      if (Date.now() > this.refreshedAt + this.ttlMs - SAFETY_MS) this.finish(`no keep-alive answer from etcd for ${this.ttlMs} ms`);
    }, WATCHDOG_MS);
  }

  /** Grant a lease and create `<prefix><lease id>` with it. */
  static async stand(client: Etcd3, prefix: string, ttlSeconds: number, value: CandidateValue): Promise<Candidacy> {
    const startedAt = Date.now();
    const lease = client.lease(ttlSeconds);
    lease.on('lost', () => undefined);
    try {
      const leaseId = await lease.grant();
      const key = `${prefix}${BigInt(leaseId).toString(16)}`;
      const res = await client.kv.txn({ success: [toOp([key, JSON.stringify(value)], leaseId)] });
      return new Candidacy(lease, leaseId, key, Number(res.header.revision), ttlSeconds * 1000, startedAt);
    } catch (e) {
      await lease.revoke().catch(() => undefined);
      throw e;
    }
  }

  get isOver(): boolean {
    return this.over;
  }

  /** End the candidacy and revoke its lease, deleting its key (best effort: else it expires). */
  async finish(reason: string): Promise<void> {
    if (!this.over) {
      this.over = true;
      clearInterval(this.watchdog);
      this.end(reason);
    }
    await this.lease.revoke().catch(() => undefined);
  }
}
