/**
 * The impure shell around the scheduler API: it keeps one subscription alive across
 * masters, failures and silence, and hands everything that happens to `onMessage`.
 * It makes no decisions about the framework: the id to subscribe with, the suppressed
 * roles, whether to stop after an ERROR all come from the caller.
 */
import type { Call, FrameworkInfo } from '../types.js';
import { DEFAULT_BACKOFF, backoffDelay, sleep as realSleep } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { subscribe, withFrameworkId } from './call-builders.js';
import { basicAuthorization, credentialsProblem, type Credentials } from './credentials.js';
import { Agents, UnorderedCalls, describeError, postCall, readText } from './http.js';
import type { MasterDetector } from './master-detector.js';
import { originOf, schedulerEndpoint } from './master-url.js';
import type { CallResult, ConnectionMessage } from './messages.js';
import { CLOSED, SubscriptionAttempt } from './subscription.js';
import type { AttemptOutcome, Subscribed } from './subscription.js';

export interface SchedulerConnectionOptions {
  detector: MasterDetector;
  /** A function if the info can change (after UPDATE_FRAMEWORK), since each re-subscribe sends it anew. */
  frameworkInfo: FrameworkInfo | (() => FrameworkInfo);
  /** Read at every (re)subscribe. Return the stored id, or undefined only for a brand-new framework. */
  frameworkId: () => string | undefined;
  /** Read at every (re)subscribe: re-subscribing replaces the suppressed set. */
  suppressedRoles?: () => readonly string[] | undefined;
  /** Called synchronously, in stream order. Never called after close(). */
  onMessage: (message: ConnectionMessage) => void;
  backoff?: Partial<BackoffPolicy>;
  random?: () => number;
  /** Must resolve early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Per-call HTTP timeout; the docs suggest about 75 s. */
  callTimeoutMs?: number;
  /** HTTP Basic credentials, sent with SUBSCRIBE and every call (docs/mesos.md#authentication). */
  credentials?: Credentials;
  /** Acknowledgements in flight at once, each on a keep-alive socket of its own (DEFAULT_ACKNOWLEDGEMENT_SOCKETS). */
  acknowledgementSockets?: number;
}

const ACCEPTED_STATUS: Partial<Record<Call['type'], number>> = { UPDATE_FRAMEWORK: 200 };

/**
 * Acknowledgements name one status update each, and the agent sends a task's next update only
 * once the last is acknowledged: their order among themselves or against other calls means
 * nothing, so they need not queue behind them. Thousands of tasks a second make three each.
 * (The library sends no operation acknowledgements.)
 */
const UNORDERED_CALLS: ReadonlySet<Call['type']> = new Set<Call['type']>(['ACKNOWLEDGE']);

/**
 * Keep-alive sockets for acknowledgements, per master, unless told otherwise. Each waits for
 * its answer before the next goes. Against mesos-sim at 2,000 tasks a second asked (through
 * node:http then), 8 sockets got about 750 updates a second acknowledged, 32 and 64 about
 * 1,500, 128 fewer again: the server's CPU was the limit past 32.
 */
export const DEFAULT_ACKNOWLEDGEMENT_SOCKETS = 32;

export class SchedulerConnection {
  private readonly backoff: BackoffPolicy;
  private readonly closer = new AbortController();
  /** Calls and the stream never share a socket. Ordered calls share one; acknowledgements have their own few. */
  private readonly callAgents = new Agents(1);
  private readonly unordered: UnorderedCalls;
  private readonly streamAgents = new Agents(Infinity);
  private started = false;
  private attempt: SubscriptionAttempt | undefined;
  private session: Subscribed | undefined;
  /** Learnt from a redirect or a subscription; tried first next time. */
  private leaderEndpoint: string | undefined;
  private retries = 0;
  /** Calls awaiting their answer, and when each times out. */
  private readonly inFlight = new Map<AbortController, number>();
  private sweeper: NodeJS.Timeout | undefined;
  private wake: AbortController | undefined;
  private unwatch: () => void = () => {};
  private loop: Promise<void> = Promise.resolve();
  /** `Basic …` for every request, when there are credentials. */
  private readonly authorization: string | undefined;
  private readonly principal: string | undefined;

  constructor(private readonly options: SchedulerConnectionOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    const sockets = options.acknowledgementSockets ?? DEFAULT_ACKNOWLEDGEMENT_SOCKETS;
    if (!Number.isSafeInteger(sockets) || sockets < 1) throw new TypeError(`acknowledgementSockets must be a whole number ≥ 1, got ${String(sockets)}`);
    this.unordered = new UnorderedCalls(sockets);
    const { credentials } = options;
    if (credentials) {
      const problem = credentialsProblem(credentials);
      if (problem) throw new TypeError(`Mesos credentials: ${problem}`);
      this.authorization = basicAuthorization(credentials);
      this.principal = credentials.principal;
    }
  }

  /** Starts connecting; messages begin to flow to onMessage. */
  start(): void {
    if (this.started) throw new Error('SchedulerConnection already started');
    this.started = true;
    this.unwatch = this.options.detector.onChange((candidates) => this.onCandidates(candidates));
    this.loop = this.run().finally(() => this.unwatch());
  }

  /** Resolves once the connection has stopped: after close(), or a fatal error. */
  get done(): Promise<void> {
    return this.loop;
  }

  get closed(): boolean {
    return this.closer.signal.aborted;
  }

  get connected(): boolean {
    return this.session !== undefined;
  }

  /** Base URL of the master currently subscribed to. */
  get master(): string | undefined {
    return this.session?.master;
  }

  /** Aborts the stream, pending calls and any backoff; no reconnect and no message after this returns. */
  close(): void {
    if (this.closed) return;
    this.closer.abort();
    this.attempt?.abort(CLOSED);
    this.session = undefined;
    for (const call of this.inFlight.keys()) call.abort();
    this.inFlight.clear();
    clearInterval(this.sweeper);
    this.callAgents.destroy();
    this.unordered.destroy();
    this.streamAgents.destroy();
  }

  /**
   * Sends a non-SUBSCRIBE call to the master the stream is attached to, with its
   * Mesos-Stream-Id, and framework_id if the call has none. Calls share one keep-alive
   * connection apart from the stream's and reach the master in the order call() was called;
   * acknowledgements go on a few connections of their own, in any order (UNORDERED_CALLS).
   */
  async call(call: Call): Promise<CallResult> {
    if (call.type === 'SUBSCRIBE') throw new TypeError('SUBSCRIBE is sent by the connection itself');
    if (this.closed) return { kind: 'failed', reason: 'closed', message: 'connection closed' };
    const session = this.session;
    if (!session) return { kind: 'failed', reason: 'not-subscribed', message: 'no subscription yet: wait for "connected"' };
    const body = call.framework_id ? call : withFrameworkId(call, session.frameworkId);
    const timeoutMs = this.options.callTimeoutMs ?? 75_000;
    // The time a call waits for its turn counts towards its timeout.
    const controller = this.trackCall(timeoutMs);
    return this.send(session, body, controller, timeoutMs);
  }

  private async send(session: Subscribed, body: Call, controller: AbortController, timeoutMs: number): Promise<CallResult> {
    const { signal } = controller;
    try {
      const headers = { streamId: session.streamId, ...(this.authorization !== undefined ? { authorization: this.authorization } : {}) };
      const { status, body: text } = UNORDERED_CALLS.has(body.type)
        ? await this.unordered.post(session.endpoint, body, headers, signal)
        : await postCall(session.endpoint, body, headers, signal, this.callAgents).then(async (response) => ({ status: response.status, body: await readText(response) }));
      return { kind: 'response', status, body: text, accepted: status === (ACCEPTED_STATUS[body.type] ?? 202) };
    } catch (err) {
      if (this.closed) return { kind: 'failed', reason: 'closed', message: 'connection closed' };
      if (signal.aborted) return { kind: 'failed', reason: 'timeout', message: `no answer in ${timeoutMs} ms` };
      return { kind: 'failed', reason: 'network', message: describeError(err) };
    } finally {
      this.inFlight.delete(controller);
    }
  }

  /**
   * A call's abort controller: aborted on close(), or by the sweep once its deadline passed
   * (checked every tenth of the timeout, a second at most). Thousands of calls a second
   * would otherwise each hold a timer, or all add listeners to one shared signal.
   */
  private trackCall(timeoutMs: number): AbortController {
    const controller = new AbortController();
    this.inFlight.set(controller, performance.now() + timeoutMs);
    if (this.sweeper === undefined) {
      const every = Math.min(1000, Math.max(1, timeoutMs / 10));
      this.sweeper = setInterval(() => {
        const now = performance.now();
        for (const [call, deadline] of this.inFlight) {
          if (deadline > now) continue;
          this.inFlight.delete(call);
          call.abort();
        }
      }, every);
      this.sweeper.unref();
    }
    return controller;
  }

  private emit(message: ConnectionMessage): void {
    if (this.closed) return;
    try {
      this.options.onMessage(message);
    } catch (err) {
      // A throwing handler is the caller's bug; surface it instead of mistaking it for a network failure.
      queueMicrotask(() => {
        throw err;
      });
    }
  }

  private async run(): Promise<void> {
    for (let first = true; !this.closed; first = false) {
      if (!first) {
        const random = this.options.random ?? Math.random;
        // New candidates (a leader appeared or moved) cut the wait short.
        this.wake = new AbortController();
        const signal = AbortSignal.any([this.closer.signal, this.wake.signal]);
        await (this.options.sleep ?? realSleep)(backoffDelay(this.retries++, this.backoff, random), signal);
        if (this.closed) return;
      }
      if ((await this.round()) === 'stop') return;
    }
  }

  /** Tries each candidate once, the remembered leader first, until one subscribes. */
  private async round(): Promise<'stop' | 'again'> {
    for (const endpoint of this.endpoints()) {
      if (this.closed) return 'stop';
      const outcome = await this.subscribeAt(endpoint);
      switch (outcome.kind) {
        case 'closed':
          return 'stop';
        case 'refused':
          this.emit({ type: 'error', message: `SUBSCRIBE refused with ${outcome.status}: ${outcome.body}`, fatal: true, origin: 'http', status: outcome.status });
          this.close();
          return 'stop';
        case 'unauthorized':
          this.emit({ type: 'error', message: this.unauthorizedMessage(outcome.master), fatal: false, origin: 'http', status: 401 });
          break;
        case 'ended':
          if (outcome.errorEvent !== undefined) this.emit({ type: 'error', message: outcome.errorEvent, fatal: false, origin: 'event' });
          this.emit({ type: 'disconnected', reason: outcome.reason });
          return 'again';
        case 'failed':
          this.emit(failureMessage(outcome));
      }
    }
    return 'again';
  }

  private async subscribeAt(endpoint: string): Promise<AttemptOutcome> {
    const frameworkId = this.options.frameworkId();
    const suppressedRoles = this.options.suppressedRoles?.();
    const info = this.options.frameworkInfo;
    const call = subscribe(typeof info === 'function' ? info() : info, {
      ...(frameworkId !== undefined ? { frameworkId } : {}),
      ...(suppressedRoles !== undefined ? { suppressedRoles } : {}),
    });
    const attempt = new SubscriptionAttempt(endpoint, call, {
      onRedirect: (to) => (this.leaderEndpoint = to),
      onSubscribed: (subscribed) => {
        this.session = subscribed;
        this.leaderEndpoint = subscribed.endpoint;
        this.retries = 0;
        const { frameworkId: id, streamId, master, heartbeatIntervalSeconds, masterInfo } = subscribed;
        this.emit({ type: 'connected', frameworkId: id, streamId, master, heartbeatIntervalSeconds, ...(masterInfo ? { masterInfo } : {}) });
      },
      onEvent: (event) => this.emit({ type: 'event', event }),
    }, this.streamAgents, this.authorization);
    this.attempt = attempt;
    try {
      return await attempt.run();
    } finally {
      this.attempt = undefined;
      this.session = undefined;
    }
  }

  private unauthorizedMessage(master: string): string {
    const why =
      this.principal === undefined
        ? 'it requires HTTP authentication (--authenticate_http_frameworks) and no credentials were given'
        : `it did not accept the credentials of principal '${this.principal}'`;
    return `master ${master} answered SUBSCRIBE with 401 Unauthorized: ${why}`;
  }

  private endpoints(): string[] {
    const fromDetector = this.options.detector.candidates().map(schedulerEndpoint);
    return [...new Set(this.leaderEndpoint ? [this.leaderEndpoint, ...fromDetector] : fromDetector)];
  }

  /** A detector that stops listing our master means the leader moved: re-subscribe. */
  private onCandidates(candidates: readonly string[]): void {
    this.leaderEndpoint = undefined;
    if (candidates.length > 0) this.wake?.abort();
    const session = this.session;
    if (session && !candidates.some((c) => originOf(c) === session.master)) {
      this.attempt?.abort(`master detector no longer lists ${session.master}`);
    }
  }
}

function failureMessage(outcome: Extract<AttemptOutcome, { kind: 'failed' }>): ConnectionMessage {
  if (outcome.errorEvent !== undefined) return { type: 'error', message: outcome.errorEvent, fatal: false, origin: 'event' };
  if (outcome.status !== undefined) return { type: 'error', message: outcome.reason, fatal: false, origin: 'http', status: outcome.status };
  return { type: 'error', message: outcome.reason, fatal: false, origin: 'transport' };
}
