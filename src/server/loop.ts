/**
 * The one queue. Messages are handled one at a time by update(); the effects of a batch
 * of messages are then carried out, store writes first in one transaction, so nothing is
 * launched or answered before the decision behind it is durable.
 */
import { update } from '../core/update.js';
import type { SchedulerState } from '../core/state.js';
import type { Command, CommandResult, Effect, Message, Millis, StoreOp } from '../core/types.js';
import { FencedError } from '../store/types.js';
import type { Interpreter } from './interpreter.js';

/** Messages handled before their effects are carried out together. */
const MAX_BATCH = 500;
const STORE_ATTEMPTS = 4;

export interface LoopStats {
  /** Seconds from a batch's first message to its effects being carried out. */
  observeBatch(seconds: number, messages: number): void;
}

export class Loop {
  private readonly queue: Message[] = [];
  private draining = false;
  private stopped = false;
  private nextRequestId = 1;
  private readonly pending = new Map<number, (result: CommandResult) => void>();
  /** Messages whose poster waits for their effects to be durable. */
  private readonly awaited = new Map<Message, (durable: boolean) => void>();

  constructor(
    readonly state: SchedulerState,
    private readonly interpreter: Interpreter,
    private readonly clock: () => Millis,
    private readonly stats: LoopStats | null,
    private readonly onFatal: (error: Error) => void,
  ) {}

  get depth(): number {
    return this.queue.length;
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
  command(command: Command): Promise<CommandResult> {
    const requestId = this.nextRequestId++;
    return new Promise((resolve) => {
      this.pending.set(requestId, resolve);
      this.post({ type: 'command', now: this.clock(), requestId, command });
    });
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    for (const resolve of this.pending.values()) {
      resolve({ ok: false, status: 409, code: 'stopping', message: 'the scheduler is stopping' });
    }
    this.pending.clear();
    this.settleAwaited(this.awaited.keys(), false);
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
        const batch = this.queue.splice(0, MAX_BATCH);
        const effects: Effect[] = [];
        for (const message of batch) effects.push(...update(this.state, message)[1]);
        await this.carryOut(effects);
        if (this.awaited.size > 0) this.settleAwaited(batch, true);
        this.stats?.observeBatch((performance.now() - started) / 1000, batch.length);
      }
    } catch (error) {
      this.stopped = true;
      this.settleAwaited(this.awaited.keys(), false);
      this.onFatal(error as Error);
    } finally {
      this.draining = false;
    }
  }

  private async carryOut(effects: Effect[]): Promise<void> {
    const ops: StoreOp[] = [];
    for (const effect of effects) if (effect.type === 'store') ops.push(...effect.ops);
    if (ops.length > 0) {
      const result = await this.writeWithRetry(ops);
      if (result.accepted.length > 0 || result.refused.length > 0) {
        this.post({ type: 'claimed', now: this.clock(), accepted: result.accepted, refused: result.refused });
      }
      const gone = [...result.removedRunIds, ...result.evictedRunIds];
      if (gone.length > 0) this.interpreter.forgetRuns(gone);
    }
    for (const effect of effects) {
      if (effect.type === 'reply') {
        this.pending.get(effect.requestId)?.(effect.result);
        this.pending.delete(effect.requestId);
      } else if (effect.type !== 'store') {
        this.interpreter.carryOut(effect);
      }
    }
  }

  private async writeWithRetry(ops: StoreOp[]) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.interpreter.write(ops);
      } catch (error) {
        // A fenced write never succeeds later; other errors may be passing (a busy or restarting store).
        if (error instanceof FencedError || attempt >= STORE_ATTEMPTS) throw error;
        await new Promise((r) => setTimeout(r, 100 * 4 ** attempt));
      }
    }
  }
}
