/**
 * The one queue. Messages are handled one at a time by update(); the effects of a batch
 * of messages are then carried out, store writes first in one transaction, so nothing is
 * launched or answered before the decision behind it is durable.
 *
 * A write that fails is tried again, the same ops, until it commits: update() has already
 * changed the state as if it had, and claims are idempotent (a claim the store holds under
 * the same run id counts as accepted), so a commit whose answer was lost is harmless.
 * Meanwhile the loop reports itself unhealthy (readiness, 503s) and messages wait in the
 * queue; nothing is lost. Only a fenced write (another leader took over) stops the loop.
 */
import { update } from '../core/update.js';
import type { SchedulerState } from '../core/state.js';
import type { Actor, Command, CommandFailure, CommandResult, Effect, Message, Millis, StoreOp } from '../core/types.js';
import { FencedError, type WriteResult } from '../store/types.js';

/** Messages handled before their effects are carried out together. */
const MAX_BATCH = 500;
/**
 * ...or fewer, once update() has taken this long: a batch's work is synchronous, and the
 * HTTP server (health checks, the API) only gets the thread between batches.
 */
const BATCH_BUDGET_MS = 15;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5_000;
/** The answer to commands the loop will not handle: they were pending, or came, when it stopped. */
const STOPPING: CommandFailure = { ok: false, status: 409, code: 'stopping', message: 'the scheduler is stopping' };

export interface LoopStats {
  /** Seconds from a batch's first message to its effects being carried out. */
  observeBatch(seconds: number, messages: number): void;
}

/** What the loop needs from the shell: the store write and every other effect. */
export interface EffectRunner {
  write(ops: StoreOp[]): Promise<WriteResult>;
  carryOut(effect: Exclude<Effect, { type: 'store' } | { type: 'reply' }>): void;
  /** Runs whose history went with a write (deleted job, pruned, evicted): their files can go. */
  forgetRuns(runIds: string[]): void;
  /** A write failed and will be tried again after `retryInMs`. */
  writeFailed(error: Error, attempt: number, retryInMs: number): void;
  writeRecovered(attempts: number): void;
}

export type LoopHealth = { ok: true } | { ok: false; since: Millis; error: string };

export class Loop {
  private readonly queue: Message[] = [];
  private draining = false;
  private stopped = false;
  private nextRequestId = 1;
  private readonly pending = new Map<number, (result: CommandResult) => void>();
  /** Messages whose poster waits for their effects to be durable. */
  private readonly awaited = new Map<Message, (durable: boolean) => void>();
  private failing: { since: Millis; error: string } | null = null;
  private wakeRetry: (() => void) | null = null;

  constructor(
    readonly state: SchedulerState,
    private readonly effects: EffectRunner,
    private readonly clock: () => Millis,
    private readonly stats: LoopStats | null,
    private readonly onFatal: (error: Error) => void,
    /** How long update() may run before a batch closes (tests that pin batches take it away). */
    private readonly batchBudgetMs = BATCH_BUDGET_MS,
  ) {}

  get depth(): number {
    return this.queue.length;
  }

  /** Unhealthy while a store write keeps failing (a full disk, a store that does not answer). */
  health(): LoopHealth {
    return this.failing ? { ok: false, ...this.failing } : { ok: true };
  }

  post(message: Message): void {
    if (this.stopped) return;
    this.queue.push(message);
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => void this.drain());
    }
  }

  /**
   * Post a message and learn when its batch's store writes have committed: true then,
   * false if the scheduler stopped first. (The Mesos backend acknowledges a status update
   * only once the run state it carries is in the store.)
   */
  postDurably(message: Message): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.awaited.set(message, resolve);
      this.post(message);
    });
  }

  /** Run an API command through the queue; resolves once its writes are durable. */
  command<C extends Command>(command: C, actor: Actor): Promise<CommandResult<C['kind']>> {
    // A stopped loop handles no more messages: answer now rather than never.
    if (this.stopped) return Promise.resolve(STOPPING);
    const requestId = this.nextRequestId++;
    return new Promise((resolve) => {
      // update() answers a command of kind K with a CommandResult<K>: the reply carries its request id.
      this.pending.set(requestId, resolve as (result: CommandResult) => void);
      this.post({ type: 'command', now: this.clock(), requestId, command, actor });
    });
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    for (const resolve of this.pending.values()) resolve(STOPPING);
    this.pending.clear();
    this.settleAwaited(this.awaited.keys(), false);
    this.wakeRetry?.();
  }

  private settleAwaited(messages: Iterable<Message>, durable: boolean): void {
    for (const message of [...messages]) {
      const resolve = this.awaited.get(message);
      if (!resolve) continue;
      this.awaited.delete(message);
      resolve(durable);
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const started = performance.now();
        const effects: Effect[] = [];
        let taken = 0;
        while (taken < this.queue.length && taken < MAX_BATCH && performance.now() - started < this.batchBudgetMs) {
          effects.push(...update(this.state, this.queue[taken]!)[1]);
          taken++;
        }
        const batch = this.queue.splice(0, taken);
        if (!(await this.carryOut(effects))) return;
        if (this.awaited.size > 0) this.settleAwaited(batch, true);
        this.stats?.observeBatch((performance.now() - started) / 1000, batch.length);
        // Let sockets and timers in before the next batch: a store that answers synchronously
        // (SQLite) would otherwise keep the thread until the queue is empty.
        if (this.queue.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      // Stop as stop() does: commands waiting in the batch or the queue get their 409, durable posts false.
      this.stop();
      this.onFatal(error as Error);
    } finally {
      this.draining = false;
    }
  }

  /** False when the loop stopped before the batch's writes committed (its effects are dropped). */
  private async carryOut(effects: Effect[]): Promise<boolean> {
    const ops: StoreOp[] = [];
    for (const effect of effects) if (effect.type === 'store') ops.push(...effect.ops);
    if (ops.length > 0) {
      const result = await this.writeUntilCommitted(ops);
      if (result === null) return false;
      if (result.accepted.length > 0 || result.refused.length > 0) {
        this.post({ type: 'claimed', now: this.clock(), accepted: result.accepted, refused: result.refused });
      }
      const gone = [...result.removedRunIds, ...result.evictedRunIds];
      if (gone.length > 0) this.effects.forgetRuns(gone);
    }
    for (const effect of effects) {
      if (effect.type === 'reply') {
        this.pending.get(effect.requestId)?.(effect.result);
        this.pending.delete(effect.requestId);
      } else if (effect.type !== 'store') {
        this.effects.carryOut(effect);
      }
    }
    return true;
  }

  private async writeUntilCommitted(ops: StoreOp[]): Promise<WriteResult | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.effects.write(ops);
        // Stopped while the write was in flight: whatever it committed, this loop carries out nothing more.
        if (this.stopped) return null;
        if (this.failing) {
          this.failing = null;
          this.effects.writeRecovered(attempt);
        }
        return result;
      } catch (error) {
        // A fenced write never succeeds later: another scheduler leads now.
        if (error instanceof FencedError) throw error;
        if (this.stopped) return null;
        const delay = Math.min(RETRY_FIRST_MS * 2 ** (attempt - 1), RETRY_MAX_MS);
        this.failing ??= { since: this.clock(), error: (error as Error).message };
        this.failing.error = (error as Error).message;
        this.effects.writeFailed(error as Error, attempt, delay);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wakeRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeRetry = null;
        if (this.stopped) return null;
      }
    }
  }
}
