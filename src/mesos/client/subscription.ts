/**
 * One SUBSCRIBE attempt: POST, follow redirects, read the stream until it ends. It knows
 * nothing of retries or candidates; its result says what happened and the caller decides.
 */
import type { Call, Event, MasterInfo } from '../types.js';
import { decodeEvents } from './event-stream.js';
import { describeError, isRedirect, postCall, readText } from './http.js';
import type { Agents, HttpResponse } from './http.js';
import { originOf, resolveRedirect } from './master-url.js';
import type { StreamEvent } from './messages.js';
import { Watchdog } from './watchdog.js';

/** The master's hard-coded interval, used until SUBSCRIBED names one (docs/mesos.md#heartbeats). */
export const DEFAULT_HEARTBEAT_SECONDS = 15;
/** Silence longer than this many heartbeat intervals means the stream is dead. */
export const MISSED_HEARTBEATS = 5;
const MAX_REDIRECTS = 5;

export interface Subscribed {
  frameworkId: string;
  streamId: string;
  /** Where calls go: the URL that answered SUBSCRIBE, after redirects. */
  endpoint: string;
  master: string;
  heartbeatIntervalSeconds: number;
  masterInfo?: MasterInfo;
}

export type AttemptOutcome =
  /** Was subscribed; the stream is over. `errorEvent` is the master's ERROR text if it said why. */
  | { kind: 'ended'; reason: string; errorEvent?: string }
  /** Never subscribed; another master or a later try may work. */
  | { kind: 'failed'; reason: string; status?: number; errorEvent?: string }
  /** 4xx to SUBSCRIBE: the same request cannot succeed. */
  | { kind: 'refused'; status: number; body: string }
  /** 401: the master wants other (or any) credentials; the operator may yet fix either side. */
  | { kind: 'unauthorized'; master: string }
  | { kind: 'closed' };

export interface AttemptHooks {
  onRedirect(endpoint: string): void;
  onSubscribed(subscribed: Subscribed): void;
  onEvent(event: StreamEvent): void;
}

export const CLOSED = 'closed';

export class SubscriptionAttempt {
  private readonly controller = new AbortController();
  private abortReason: string | undefined;
  private subscribed = false;
  private readonly watchdog: Watchdog;

  constructor(
    private endpoint: string,
    private readonly call: Call,
    private readonly hooks: AttemptHooks,
    private readonly agents: Agents,
    private readonly authorization: string | undefined,
  ) {
    const timeoutMs = DEFAULT_HEARTBEAT_SECONDS * MISSED_HEARTBEATS * 1000;
    this.watchdog = new Watchdog(timeoutMs, () => this.abort(`no bytes from ${this.endpoint} for ${this.watchdog.timeout} ms`));
  }

  /** Stops the attempt; `run` resolves with `reason` (or 'closed'). The first reason wins. */
  abort(reason: string): void {
    if (this.controller.signal.aborted) return;
    this.abortReason = reason;
    this.controller.abort();
  }

  async run(): Promise<AttemptOutcome> {
    try {
      const opened = await this.open();
      return 'kind' in opened ? opened : await this.read(opened);
    } catch (err) {
      return this.end(this.abortReason ?? describeError(err));
    } finally {
      this.watchdog.stop();
      this.controller.abort();
    }
  }

  private async open(): Promise<HttpResponse | AttemptOutcome> {
    for (let hops = 0; ; hops++) {
      const headers = this.authorization !== undefined ? { authorization: this.authorization } : {};
      const response = await postCall(this.endpoint, this.call, headers, this.controller.signal, this.agents);
      if (response.status === 200) return response;
      const body = await readText(response);
      if (isRedirect(response.status)) {
        const location = response.header('location');
        if (!location) return this.end(`${this.endpoint} answered ${response.status} without a Location`, response.status);
        if (hops >= MAX_REDIRECTS) return this.end(`more than ${MAX_REDIRECTS} redirects from ${this.endpoint}`, response.status);
        this.endpoint = resolveRedirect(location, this.endpoint);
        this.hooks.onRedirect(this.endpoint);
        continue;
      }
      // The master authenticates before it redirects, so a standby answers 401 too.
      if (response.status === 401) return { kind: 'unauthorized', master: originOf(this.endpoint) };
      if (response.status >= 400 && response.status < 500) return { kind: 'refused', status: response.status, body };
      // 503 is "no leader elected" or "recovering": worth retrying, like any 5xx.
      return this.end(`${this.endpoint} answered ${response.status}: ${body}`, response.status);
    }
  }

  private async read(response: HttpResponse): Promise<AttemptOutcome> {
    const streamId = response.header('mesos-stream-id');
    if (!streamId) return this.end(`${this.endpoint} answered SUBSCRIBE without a Mesos-Stream-Id`);
    const events = decodeEvents(response.body, () => this.watchdog.kick());
    for await (const event of events) {
      if (this.controller.signal.aborted) break;
      if (event.type === 'ERROR') return this.end(`ERROR event: ${event.error.message}`, undefined, event.error.message);
      if (!this.subscribed) {
        if (event.type !== 'SUBSCRIBED') return this.end(`expected SUBSCRIBED first, got ${event.type}`);
        this.subscribe(event, streamId);
        continue;
      }
      if (event.type === 'SUBSCRIBED') return this.end('second SUBSCRIBED on one stream');
      this.hooks.onEvent(event);
    }
    return this.end(this.abortReason ?? `stream from ${this.endpoint} ended`);
  }

  private subscribe(event: Extract<Event, { type: 'SUBSCRIBED' }>, streamId: string): void {
    const heartbeat = event.subscribed.heartbeat_interval_seconds ?? DEFAULT_HEARTBEAT_SECONDS;
    this.subscribed = true;
    this.watchdog.retime(heartbeat * MISSED_HEARTBEATS * 1000);
    this.hooks.onSubscribed({
      frameworkId: event.subscribed.framework_id.value,
      streamId,
      endpoint: this.endpoint,
      master: originOf(this.endpoint),
      heartbeatIntervalSeconds: heartbeat,
      ...(event.subscribed.master_info ? { masterInfo: event.subscribed.master_info } : {}),
    });
  }

  private end(reason: string, status?: number, errorEvent?: string): AttemptOutcome {
    if (this.abortReason === CLOSED) return { kind: 'closed' };
    const said = errorEvent !== undefined ? { errorEvent } : {};
    if (this.subscribed) return { kind: 'ended', reason, ...said };
    return { kind: 'failed', reason, ...said, ...(status !== undefined ? { status } : {}) };
  }
}
