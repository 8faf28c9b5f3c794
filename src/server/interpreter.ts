/** Carries out the loop's effects: store writes, the backend, the wake-up timer, events, logs. */
import type { Logger } from 'pino';
import type { Backend } from '../backends/types.js';
import type { Effect, Notice, SchedulerEvent, StoreOp } from '../core/types.js';
import type { Store, WriteResult } from '../store/types.js';
import type { EventBus } from './events.js';
import type { EffectRunner } from './loop.js';
import type { WakeTimer } from './wake-timer.js';

export interface InterpreterDeps {
  store: Store;
  backend: Backend;
  notifier: { deliver(notices: readonly Notice[]): void };
  epoch: number;
  timer: WakeTimer;
  events: EventBus;
  metrics: { observe(event: SchedulerEvent): void };
  logger: Logger;
}

export class Interpreter implements EffectRunner {
  constructor(private readonly deps: InterpreterDeps) {}

  write(ops: StoreOp[]): Promise<WriteResult> {
    return this.deps.store.write(this.deps.epoch, ops);
  }

  forgetRuns(runIds: string[]): void {
    this.deps.backend.forget(runIds).catch((e: Error) => this.deps.logger.warn({ err: e }, 'could not remove run files'));
  }

  writeFailed(error: Error, attempt: number, retryInMs: number): void {
    const fields = { err: error, store: this.deps.store.description, attempt, retryInMs };
    // The first failure and every tenth after it: a full disk must be loud, not flood the log.
    if (attempt === 1 || attempt % 10 === 0) this.deps.logger.error(fields, 'the store cannot be written; scheduling waits and the write is retried');
  }

  writeRecovered(attempts: number): void {
    this.deps.logger.warn({ store: this.deps.store.description, attempts }, 'the store is written again; scheduling resumes');
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
      case 'kill-stray':
        backend.killStray?.(effect.runId, effect.taskId, effect.agent, effect.reason);
        break;
      case 'reattach':
        backend.reattach(effect.run, effect.spec);
        break;
      case 'set-blacklist':
        backend.setBlacklist?.(effect.agents);
        break;
      case 'teardown':
        backend.teardown?.();
        break;
      case 'deliver-notices':
        this.deps.notifier.deliver(effect.notices);
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
