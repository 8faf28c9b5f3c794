/**
 * A Store that fails writes on demand, around any real store: for testing what a caller
 * does when a write's outcome is unknown.
 *
 *   const faulty = new FaultyStore(await openStore(url));
 *   faulty.failNextWrite('after-commit');   // the next write commits, then throws
 *   await assert.rejects(faulty.write(epoch, ops), InjectedWriteFault);
 *   await faulty.write(epoch, ops);         // the caller's retry goes through
 *
 * 'after-commit': the real store commits the batch, then the call throws as if the
 * connection was cut before the answer came back (the answer is kept in `lostResults`).
 * 'before-commit': the call throws without reaching the real store.
 * Each armed fault is spent by the next write() call; arm several to fail several in a row.
 * A fault armed with failWriteWhere() waits for the first write whose ops match, which is
 * how a test aims at one particular batch (say, the claim of one occurrence) of a running
 * scheduler whose other writes it cannot time.
 * Every other method goes straight to the real store.
 */
import type { AccessOp, Millis, Run, StoreOp, StoredJob, StoredOwner, StoredToken } from '../../src/core/types.js';
import type { AuditPage, AuditQuery, BlacklistEntry, LoadedState, RunPage, RunQuery, Store, WriteResult } from '../../src/store/types.js';

export type WriteFault = 'after-commit' | 'before-commit';

/** What an injected fault throws: an ordinary error (not a FencedError), so callers retry it. */
export class InjectedWriteFault extends Error {
  constructor(readonly fault: WriteFault) {
    super(
      fault === 'after-commit'
        ? 'injected fault: the write committed but its answer was lost'
        : 'injected fault: the write failed before it reached the store',
    );
    this.name = 'InjectedWriteFault';
  }
}

export interface WriteCounts {
  /** write() calls, faulty or not. */
  calls: number;
  /** Writes the real store committed, including those whose answer was then lost. */
  committed: number;
  /** Faults thrown. */
  faults: number;
}

export class FaultyStore implements Store {
  readonly description: string;
  readonly writes: WriteCounts = { calls: 0, committed: 0, faults: 0 };
  /** The real store's answers to the writes whose answer was lost, oldest first. */
  readonly lostResults: WriteResult[] = [];
  private readonly armed: { fault: WriteFault; match: ((ops: StoreOp[]) => boolean) | null }[] = [];

  constructor(readonly inner: Store) {
    this.description = inner.description;
  }

  /** Make the next write() call fail this way (after any faults armed before). */
  failNextWrite(fault: WriteFault): this {
    this.armed.push({ fault, match: null });
    return this;
  }

  /**
   * Make the first write() whose ops `match` fail this way; writes that do not match go
   * through. (A write is failed by the first armed fault that applies to it.)
   */
  failWriteWhere(fault: WriteFault, match: (ops: StoreOp[]) => boolean): this {
    this.armed.push({ fault, match });
    return this;
  }

  /** Faults armed and not yet spent. */
  get pendingFaults(): number {
    return this.armed.length;
  }

  async write(epoch: number, ops: StoreOp[]): Promise<WriteResult> {
    this.writes.calls++;
    const index = this.armed.findIndex((a) => a.match === null || a.match(ops));
    const fault = index < 0 ? undefined : this.armed.splice(index, 1)[0]!.fault;
    if (fault === 'before-commit') throw this.inject(fault);
    const result = await this.inner.write(epoch, ops);
    this.writes.committed++;
    if (fault === 'after-commit') {
      this.lostResults.push(result);
      throw this.inject(fault);
    }
    return result;
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  beginEpoch(owner: string, now: Millis): Promise<number> {
    return this.inner.beginEpoch(owner, now);
  }

  loadState(): Promise<LoadedState> {
    return this.inner.loadState();
  }

  listJobs(): Promise<StoredJob[]> {
    return this.inner.listJobs();
  }

  getJob(name: string): Promise<StoredJob | null> {
    return this.inner.getJob(name);
  }

  getRun(id: string): Promise<Run | null> {
    return this.inner.getRun(id);
  }

  listRuns(query: RunQuery): Promise<RunPage> {
    return this.inner.listRuns(query);
  }

  getMeta(key: string): Promise<string | null> {
    return this.inner.getMeta(key);
  }

  listBlacklist(): Promise<BlacklistEntry[]> {
    return this.inner.listBlacklist();
  }

  listOwners(): Promise<StoredOwner[]> {
    return this.inner.listOwners();
  }

  getOwner(name: string): Promise<StoredOwner | null> {
    return this.inner.getOwner(name);
  }

  /** Access writes are not the scheduler's: they pass through unfaulted. */
  writeAccess(ops: AccessOp[]): Promise<void> {
    return this.inner.writeAccess(ops);
  }

  getToken(id: string): Promise<StoredToken | null> {
    return this.inner.getToken(id);
  }

  listTokens(): Promise<StoredToken[]> {
    return this.inner.listTokens();
  }

  listAudit(query: AuditQuery): Promise<AuditPage> {
    return this.inner.listAudit(query);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private inject(fault: WriteFault): InjectedWriteFault {
    this.writes.faults++;
    return new InjectedWriteFault(fault);
  }
}
