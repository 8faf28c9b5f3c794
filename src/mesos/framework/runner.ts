/**
 * The one impure loop around the pure reducer, written once for every framework (mesos-go's
 * controller.Run): the application gives its config with hooks, a place to keep the
 * framework ID and an interpreter for its own effects. The runner owns the message queue
 * (handled one at a time), the connection to the leading master, the timers, and the order
 * of effects: no call goes out before the framework ID it is made under is durable.
 */
import { SchedulerConnection, detectorFor, type ConnectionMessage, type MasterDetector } from '../client/index.js';
import type { Call } from '../types.js';
import { configProblem, type FrameworkConfig } from './config.js';
import { frameworkInfo, newFrameworkState, viewOf, type FrameworkState, type RestoredFramework } from './state.js';
import type { AckToken, FrameworkEffect, FrameworkMessage, FrameworkView, LaunchRequest, LogLevel, Millis } from './types.js';
import { frameworkUpdate } from './update.js';

export interface LogEntry {
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
}

export interface RunnerOptions<C, E> {
  /** `http://h1:5050,http://h2:5050`, or `zk://h:2181/mesos`. */
  masters: string;
  config: FrameworkConfig<C, E>;
  /** What the application kept from before a restart: the framework ID, its tasks, the blacklist. */
  restored?: RestoredFramework;
  /** Store the framework ID (null: it is dead) durably. A rejection stops the runner. */
  persistFrameworkId(frameworkId: string | null): Promise<void>;
  /** Carries out the application's own effects, in order, after the message that produced them. */
  interpret?(effect: E): void;
  log?(entry: LogEntry): void;
  now?(): Millis;
}

/** setTimeout's limit; a later timer fires early and the reducer finds it not yet due. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class FrameworkRunner<C = never, E = never> {
  /** Settles once stopped: null after close(), the reason after a failure (never rejects). */
  readonly done: Promise<Error | null>;
  private readonly state: FrameworkState<C, E>;
  private readonly detector: MasterDetector;
  private readonly connection: SchedulerConnection;
  private readonly now: () => Millis;
  private readonly queue: FrameworkMessage<C>[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The last framework ID write; calls wait for it. Never rejects. */
  private durable: Promise<void> = Promise.resolve();
  private lastCall: Promise<void> = Promise.resolve();
  private handling = false;
  private stopped = false;
  /** After close({teardown}): the stream ending is ours to end, not to re-subscribe on. */
  private tearingDown = false;
  private finish: (error: Error | null) => void = () => {};

  constructor(private readonly options: RunnerOptions<C, E>) {
    this.done = new Promise((resolve) => (this.finish = resolve));
    this.now = options.now ?? Date.now;
    const problem = configProblem(options.config as FrameworkConfig<unknown, unknown>);
    if (problem) throw new TypeError(`FrameworkConfig: ${problem}`);
    this.state = newFrameworkState(options.config, options.restored);
    this.detector = detectorFor(options.masters, { onError: (message) => this.log({ level: 'warn', message }) });
    this.connection = new SchedulerConnection({
      detector: this.detector,
      frameworkInfo: () => frameworkInfo(this.state),
      frameworkId: () => this.state.frameworkId ?? undefined,
      onMessage: (message) => this.onConnection(message),
      ...(options.config.credentials ? { credentials: options.config.credentials } : {}),
    });
    this.connection.start();
  }

  /** The framework's state, read-only (for the application's API; hooks get it too). */
  get view(): FrameworkView {
    return viewOf(this.state);
  }

  /** Base URL of the master subscribed to, for its other endpoints (`/master/state`). */
  get master(): string | undefined {
    return this.connection.master;
  }

  post(message: C): void {
    this.handle({ type: 'custom', message, now: this.now() });
  }

  launch(request: LaunchRequest): void {
    this.handle({ type: 'launch', request, now: this.now() });
  }

  kill(taskId: string, gracePeriodMs?: Millis): void {
    this.handle({ type: 'kill', taskId, ...(gracePeriodMs !== undefined ? { gracePeriodMs } : {}), now: this.now() });
  }

  acknowledge(ack: AckToken): void {
    this.handle({ type: 'acknowledge', ack, now: this.now() });
  }

  blacklist(agents: readonly string[]): void {
    this.handle({ type: 'blacklist', agents, now: this.now() });
  }

  /** TEARDOWN, then carry on as a new framework. See close() to tear down and stop. */
  teardown(): void {
    this.handle({ type: 'teardown', now: this.now() });
  }

  /**
   * Stop; tasks keep running for the next scheduler. With `teardown` (when subscribed), send
   * TEARDOWN first, so the master kills every task and forgets the framework.
   */
  async close(options: { teardown?: boolean } = {}): Promise<Error | null> {
    if (options.teardown && !this.stopped) {
      this.tearingDown = true;
      this.teardown();
      await this.lastCall;
    }
    this.stop(null);
    return this.done;
  }

  /** Messages posted while one is handled (by an interpreter, say) wait their turn. */
  private handle(message: FrameworkMessage<C>): void {
    if (this.stopped) return;
    this.queue.push(message);
    if (this.handling) return;
    this.handling = true;
    try {
      for (let next = this.queue.shift(); next && !this.stopped; next = this.queue.shift()) {
        for (const effect of frameworkUpdate(this.state, next)) this.carryOut(effect);
      }
    } catch (error) {
      // A hook threw: the state may be half-changed, so nothing more is decided on it.
      this.stop(new Error(`the framework stopped: handling a message failed: ${describe(error)}`));
    } finally {
      this.handling = false;
      this.queue.length = 0;
    }
  }

  private carryOut(effect: FrameworkEffect<E>): void {
    if (this.stopped) return;
    switch (effect.type) {
      case 'call':
        return this.send(effect.call);
      case 'persist-framework-id':
        return this.persist(effect.frameworkId);
      case 'set-timer':
        return this.setTimer(effect.name, effect.at);
      case 'cancel-timer':
        clearTimeout(this.timers.get(effect.name));
        this.timers.delete(effect.name);
        return;
      case 'log':
        return this.log(effect);
      case 'stop':
        return this.stop(new Error(effect.reason));
      case 'app':
        try {
          this.options.interpret?.(effect.effect);
        } catch (error) {
          this.log({ level: 'error', message: `the application failed to carry out an effect: ${describe(error)}` });
        }
    }
  }

  private persist(frameworkId: string | null): void {
    this.durable = this.durable.then(async () => {
      if (this.stopped) return;
      try {
        await this.options.persistFrameworkId(frameworkId);
      } catch (error) {
        const what = frameworkId === null ? 'that the Mesos framework ID is no longer valid' : `the Mesos framework ID ${frameworkId}`;
        this.log({ level: 'error', message: `could not store ${what}; stopping before any call is made under it: ${describe(error)}` });
        this.stop(new Error(`could not store ${what}: ${describe(error)}`));
      }
    });
  }

  private send(call: Call): void {
    // Registered in order on the same durable write, so calls go out in the order made.
    this.lastCall = this.durable
      .then(async () => {
        if (this.stopped) return;
        const result = await this.connection.call(call);
        if (result.kind === 'failed') this.log({ level: 'warn', message: `Mesos call ${call.type} not sent: ${result.message}`, fields: { reason: result.reason } });
        else if (!result.accepted) this.log({ level: 'warn', message: `Mesos refused ${call.type} (${result.status}): ${result.body}` });
      })
      .catch((error: unknown) => this.log({ level: 'error', message: `Mesos call ${call.type} failed: ${describe(error)}` }));
  }

  private setTimer(name: string, at: Millis): void {
    clearTimeout(this.timers.get(name));
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, at - this.now()));
    this.timers.set(name, setTimeout(() => this.handle({ type: 'timer', name, now: this.now() }), delay));
  }

  private onConnection(message: ConnectionMessage): void {
    const now = this.now();
    switch (message.type) {
      case 'connected':
        this.log({ level: 'info', message: 'subscribed to Mesos', fields: { frameworkId: message.frameworkId, master: message.master } });
        return this.handle({ type: 'connected', frameworkId: message.frameworkId, now });
      case 'event':
        return this.handle({ type: 'event', event: message.event, now });
      case 'disconnected':
        if (this.tearingDown) return this.stop(null);
        return this.handle({ type: 'disconnected', reason: message.reason, now });
      case 'error':
        return this.handle({ type: 'master-error', message: message.message, fatal: message.fatal, ...(message.status !== undefined ? { status: message.status } : {}), now });
    }
  }

  private stop(error: Error | null): void {
    if (this.stopped) return;
    this.stopped = true;
    this.connection.close();
    this.detector.close?.();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    void this.connection.done.then(() => this.finish(error));
  }

  private log(entry: LogEntry): void {
    if (this.options.log) this.options.log(entry);
    else if (entry.level !== 'debug') console.error(`${entry.level}: ${entry.message}`, entry.fields ?? '');
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
