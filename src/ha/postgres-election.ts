/**
 * Leader election on the PostgreSQL store: one lease row with a deadline on the database
 * clock. Not a session advisory lock: a SIGSTOPped leader keeps its connection (and such
 * a lock) open forever, while its lease simply runs out.
 *
 * Winning takes the expired (or own) lease and raises the store's fencing epoch in one
 * statement. The leader renews every `renewIntervalMs`; it counts its lease from the
 * moment it sent the last successful renewal, minus a margin for clock-rate drift, so it
 * knows it lost before the database lets a standby in. Takeover after a leader dies:
 * at most leaseMs + pollIntervalMs (about 2.25 s with the defaults).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { createPool, parsePostgresUrl } from '../store/postgres/connection.js';
import { migrate } from '../store/postgres/migrations.js';
import type { LeaderElection, Leadership, Member } from './types.js';

export interface PostgresElectionOptions {
  /** How long a lease lasts without renewal. */
  leaseMs?: number;
  renewIntervalMs?: number;
  /** How often a standby tries to take an expired lease. */
  pollIntervalMs?: number;
  /** Members not heard from for this long are left out of members(). */
  memberTtlMs?: number;
}

const DEFAULTS = { leaseMs: 2000, renewIntervalMs: 500, pollIntervalMs: 250 };

const DB_NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

// One statement, so no transaction is ever left open between round trips (a member paused
// mid-transaction would hold the lease row). A racing standby waits on the row lock, then
// finds the lease live and takes nothing.
const ACQUIRE = `
  WITH lease AS (
    SELECT id FROM leader_lease WHERE id = 1 AND (expires_at <= clock_timestamp() OR holder = $1) FOR UPDATE
  ), bump AS (
    UPDATE leadership SET epoch = epoch + 1, owner = $1, since = ${DB_NOW_MS}
    WHERE id = 1 AND EXISTS (SELECT 1 FROM lease) RETURNING epoch
  )
  UPDATE leader_lease SET holder = $1, url = $2, epoch = bump.epoch, expires_at = clock_timestamp() + $3 * interval '1 millisecond'
  FROM bump WHERE leader_lease.id = 1
  RETURNING leader_lease.epoch`;

const RENEW = `
  UPDATE leader_lease SET expires_at = clock_timestamp() + $3 * interval '1 millisecond'
  WHERE id = 1 AND holder = $1 AND epoch = $2 AND expires_at > clock_timestamp()
    AND epoch = (SELECT epoch FROM leadership WHERE id = 1)
  RETURNING 1`;

const RELEASE = `UPDATE leader_lease SET expires_at = '-infinity' WHERE id = 1 AND holder = $1 AND epoch = $2`;

const LIVE_LEADER = 'SELECT holder, url, epoch FROM leader_lease WHERE id = 1 AND expires_at > clock_timestamp()';

const HEARTBEAT = `INSERT INTO members (id, url, last_seen) VALUES ($1, $2, clock_timestamp())
  ON CONFLICT (id) DO UPDATE SET url = excluded.url, last_seen = excluded.last_seen`;

const MEMBERS = `SELECT id, url FROM members WHERE last_seen > clock_timestamp() - $1 * interval '1 millisecond' ORDER BY id`;

export class PostgresElection implements LeaderElection {
  readonly leaseMs: number;
  readonly renewIntervalMs: number;
  readonly pollIntervalMs: number;
  readonly memberTtlMs: number;
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private migrated: Promise<void> | null = null;
  private readonly held = new Set<PostgresLeadership>();
  private readonly selves = new Set<string>();
  private readonly lastHeartbeat = new Map<string, number>();
  private closed = false;

  constructor(url: string, options: PostgresElectionOptions = {}) {
    this.leaseMs = options.leaseMs ?? DEFAULTS.leaseMs;
    this.renewIntervalMs = options.renewIntervalMs ?? DEFAULTS.renewIntervalMs;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULTS.pollIntervalMs;
    this.memberTtlMs = options.memberTtlMs ?? 3 * this.leaseMs;
    if (!(this.renewIntervalMs < this.leaseMs)) throw new Error('renewIntervalMs must be shorter than leaseMs');
    const target = parsePostgresUrl(url);
    this.schema = target.schema;
    // An answer slower than half a lease is no use to a renewal: give up and try again.
    const statementMs = Math.max(100, Math.floor(this.leaseMs / 2));
    this.pool = createPool(target, { max: 3, statementMs, connectMs: statementMs, idleInTransactionMs: this.leaseMs }, 'moroccron-election');
  }

  async campaign(self: Member, signal?: AbortSignal): Promise<Leadership> {
    this.selves.add(self.id);
    for (;;) {
      signal?.throwIfAborted();
      if (this.closed) throw new Error('election closed');
      const sentAt = performance.now();
      let epoch: number | null = null;
      try {
        await this.ready();
        await this.heartbeat(self);
        const { rows } = await this.pool.query<{ epoch: string }>(ACQUIRE, [self.id, self.url, this.leaseMs]);
        if (rows[0]) epoch = Number(rows[0].epoch);
      } catch {
        // The database is unreachable or slow: a standby just keeps trying.
      }
      if (epoch !== null) {
        const leadership = new PostgresLeadership(this, this.pool, self, epoch, sentAt);
        if (!signal?.aborted && !this.closed) {
          this.held.add(leadership);
          void leadership.lost.then(() => this.held.delete(leadership));
          return leadership;
        }
        await leadership.resign().catch(() => {});
        continue;
      }
      await sleep(this.pollIntervalMs, undefined, signal ? { signal } : {});
    }
  }

  async leader(): Promise<(Member & { epoch: number }) | null> {
    await this.ready();
    const row = (await this.pool.query<{ holder: string; url: string; epoch: string }>(LIVE_LEADER)).rows[0];
    return row ? { id: row.holder, url: row.url, epoch: Number(row.epoch) } : null;
  }

  async members(): Promise<Member[]> {
    await this.ready();
    return (await this.pool.query<Member>(MEMBERS, [this.memberTtlMs])).rows;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.held].map((l) => l.resign().catch(() => {})));
    await this.pool.query('DELETE FROM members WHERE id = ANY($1::text[])', [[...this.selves]]).catch(() => {});
    await this.pool.end();
  }

  /** Record that `self` is alive, at most twice a lease. */
  async heartbeat(self: Member): Promise<void> {
    const last = this.lastHeartbeat.get(self.id) ?? -Infinity;
    if (performance.now() - last < this.leaseMs / 2) return;
    await this.pool.query(HEARTBEAT, [self.id, self.url]);
    this.lastHeartbeat.set(self.id, performance.now());
  }

  private async ready(): Promise<void> {
    this.migrated ??= migrate(this.pool, this.schema).catch((error: unknown) => {
      this.migrated = null;
      throw error;
    });
    await this.migrated;
  }
}

class PostgresLeadership implements Leadership {
  readonly lost: Promise<{ reason: string }>;
  private settle: (value: { reason: string }) => void = () => {};
  private over = false;
  private renewTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly election: PostgresElection,
    private readonly pool: pg.Pool,
    private readonly self: Member,
    readonly epoch: number,
    leaseSentAt: number,
  ) {
    this.lost = new Promise((resolve) => (this.settle = resolve));
    this.extendTo(leaseSentAt);
    this.scheduleRenewal();
  }

  async resign(): Promise<void> {
    this.end('resigned');
    await this.pool.query(RELEASE, [this.self.id, this.epoch]);
  }

  private end(reason: string): void {
    if (this.over) return;
    this.over = true;
    clearTimeout(this.renewTimer);
    clearTimeout(this.deadlineTimer);
    this.settle({ reason });
  }

  /** The lease runs from when its last renewal was sent, less a tenth for clock drift. */
  private extendTo(sentAt: number): void {
    clearTimeout(this.deadlineTimer);
    const { leaseMs } = this.election;
    const remaining = sentAt + leaseMs - leaseMs / 10 - performance.now();
    this.deadlineTimer = setTimeout(() => this.end(`lease not renewed within ${leaseMs} ms (store unreachable)`), Math.max(0, remaining));
  }

  private scheduleRenewal(): void {
    if (this.over) return;
    this.renewTimer = setTimeout(() => void this.renew(), this.election.renewIntervalMs);
  }

  private async renew(): Promise<void> {
    const sentAt = performance.now();
    let renewed: boolean;
    try {
      renewed = (await this.pool.query(RENEW, [this.self.id, this.epoch, this.election.leaseMs])).rowCount === 1;
    } catch {
      // Keep trying until the deadline timer gives up.
      this.scheduleRenewal();
      return;
    }
    if (this.over) return;
    if (!renewed) {
      this.end(await this.whyLost());
      return;
    }
    this.extendTo(sentAt);
    await this.election.heartbeat(this.self).catch(() => {});
    this.scheduleRenewal();
  }

  private async whyLost(): Promise<string> {
    const current = await this.election.leader().catch(() => null);
    if (current && current.epoch !== this.epoch) return `lease taken by ${current.id} (epoch ${current.epoch})`;
    return 'lease expired or epoch superseded';
  }
}

