/** Carries out the loop's effects: store writes, the backend, the wake-up timer, events, logs. */
import type { Logger } from 'pino';
import type { Backend } from '../backends/types.js';
import type { Effect, Millis, StoreOp } from '../core/types.js';
import type { Store, WriteResult } from '../store/types.js';
import type { EventBus } from './events.js';
import type { Metrics } from './metrics.js';
import type { WakeTimer } from './wake-timer.js';

export interface InterpreterDeps {
  store: Store;
  backend: Backend;
  epoch: number;
  timer: WakeTimer;
  events: EventBus;
  metrics: Metrics;
  logger: Logger;
  clock: () => Millis;
}

export class Interpreter {
  constructor(private readonly deps: InterpreterDeps) {}

  write(ops: StoreOp[]): Promise<WriteResult> {
    return this.deps.store.write(this.deps.epoch, ops);
  }

  forgetRuns(runIds: string[]): void {
    this.deps.backend.forget(runIds).catch((e: Error) => this.deps.logger.warn({ err: e }, 'could not remove run files'));
  }

  carryOut(effect: Exclude<Effect, { type: 'store' } | { type: 'reply' }>): void {
    const { backend, logger } = this.deps;
    switch (effect.type) {
      case 'launch':
        backend.launch(effect.run, effect.spec);
        break;
      case 'kill':
        logger.info({ runId: effect.run.id, job: effect.run.job }, `killing run: ${effect.reason}`);
        backend.kill(effect.run, effect.gracePeriodMs, effect.reason);
        break;
      case 'reattach':
        backend.reattach(effect.run, effect.spec);
        break;
      case 'set-timer':
        this.deps.timer.set(effect.at);
        break;
      case 'publish':
        this.deps.metrics.observe(effect.event);
        this.deps.events.publish(effect.event);
        break;
      case 'prune':
        void this.prune(effect.jobs);
        break;
      case 'log':
        logger[effect.level](effect.fields ?? {}, effect.message);
        break;
    }
  }

  private async prune(jobs: { job: string; keep: number; maxAgeMs: Millis }[]): Promise<void> {
    const { store, epoch, clock, logger } = this.deps;
    for (const { job, keep, maxAgeMs } of jobs) {
      try {
        const removed = await store.prune(epoch, job, { keep, maxAgeMs }, clock());
        if (removed.length > 0) this.forgetRuns(removed);
      } catch (error) {
        logger.warn({ err: error, job }, 'pruning run history failed');
      }
    }
  }
}
