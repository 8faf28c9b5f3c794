/** Carries out the loop's effects: store writes, the backend, the wake-up timer, events, logs. */
import type { Logger } from 'pino';
import type { Backend } from '../backends/types.js';
import type { Effect, Millis, SchedulerEvent, StoreOp } from '../core/types.js';
import type { Store, WriteResult } from '../store/types.js';
import type { EventBus } from './events.js';
import type { WakeTimer } from './wake-timer.js';

export interface InterpreterDeps {
  store: Store;
  backend: Backend;
  epoch: number;
  timer: WakeTimer;
  events: EventBus;
  metrics: { observe(event: SchedulerEvent): void };
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
      case 'log':
        logger[effect.level](effect.fields ?? {}, effect.message);
        break;
    }
  }
}
