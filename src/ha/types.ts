/**
 * Leader election for several `moroccron serve` processes sharing one store. One leads
 * and schedules; the others stand by, serve reads and point writers at the leader. Each
 * leadership has an epoch above every earlier one, and the store refuses writes carrying
 * an older epoch (FencedError), so a paused or partitioned ex-leader cannot write.
 */

export interface Member {
  /** Stable for the process's life, e.g. "host:port". */
  id: string;
  /** Base URL of its HTTP API, for redirects. */
  url: string;
}

export interface Leadership {
  /** Written into the store when this leadership began; every write of this leader carries it. */
  epoch: number;
  /**
   * Settles (never rejects) when the leadership is over: the session or lease expired, the
   * store became unreachable for longer than the lease, or resign() was called.
   */
  lost: Promise<{ reason: string }>;
  /** Give up leadership at once, so a standby takes over without waiting for a timeout. */
  resign(): Promise<void>;
}

export interface LeaderElection {
  /**
   * Wait until `self` leads (aborted by `signal`). On winning, the store's epoch is raised
   * before this resolves, so no write of an earlier leader can land afterwards.
   */
  campaign(self: Member, signal?: AbortSignal): Promise<Leadership>;
  /** The current leader with its epoch, or null while there is none. */
  leader(): Promise<(Member & { epoch: number }) | null>;
  /** Everyone campaigning or leading. */
  members(): Promise<Member[]>;
  /** Leave the election (resigning if leading) and release connections. */
  close(): Promise<void>;
}
