/**
 * Live updates from `/api/v1/events`. One shared stream per tab (browsers allow few
 * connections per host), read with fetch so it can carry the Authorization header, which
 * EventSource cannot. It reconnects with backoff and sends `Last-Event-ID`; the server then
 * replays what was missed, or sends `event: reset` when it cannot, and views refetch.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { authHeaders } from './client';
import { currentToken, requireLogin, subscribe as subscribeAuth } from './auth';
import { fetchFromLeader } from './leader-fetch';
import type { SchedulerEvent } from './types';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

interface Subscriber {
  job: string | undefined;
  onEvent: (event: SchedulerEvent) => void;
  onReset: (() => void) | undefined;
}

const HEARTBEAT_TIMEOUT_MS = 45_000; // the server sends a comment every 15 s
const MAX_BACKOFF_MS = 30_000;
const LINGER_MS = 2_000; // keep the stream across a page change

const subscribers = new Set<Subscriber>();
const statusListeners = new Set<() => void>();
let status: StreamStatus = 'connecting';
let lastEventId: string | null = null;
let controller: AbortController | null = null;
let stopTimer: ReturnType<typeof setTimeout> | null = null;
let connections = 0;

function setStatus(next: StreamStatus): void {
  if (status === next) return;
  status = next;
  for (const listener of statusListeners) listener();
}

const jobOf = (event: SchedulerEvent): string => (event.kind === 'run' ? event.run.job : event.job);

function dispatch(type: string, data: string): void {
  if (type === 'reset') {
    for (const s of subscribers) s.onReset?.();
    return;
  }
  if (type !== 'job' && type !== 'run') return;
  let event: SchedulerEvent;
  try {
    event = JSON.parse(data) as SchedulerEvent;
  } catch {
    return;
  }
  for (const s of [...subscribers]) if (s.job === undefined || s.job === jobOf(event)) s.onEvent(event);
}

/** Parses `text/event-stream` blocks; returns what is left of an unfinished block. */
function consume(buffer: string): string {
  let boundary: RegExpExecArray | null;
  const separator = /\r?\n\r?\n/;
  while ((boundary = separator.exec(buffer))) {
    const block = buffer.slice(0, boundary.index);
    buffer = buffer.slice(boundary.index + boundary[0].length);
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') lastEventId = value;
      else if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0 || type === 'reset') dispatch(type, data.join('\n'));
  }
  return buffer;
}

async function readStream(own: AbortController): Promise<'ended' | 'unauthorized'> {
  const { signal } = own;
  const headers: Record<string, string> = { accept: 'text/event-stream', ...authHeaders() };
  if (lastEventId !== null) headers['last-event-id'] = lastEventId;
  const hadEvents = lastEventId !== null;
  const response = await fetchFromLeader('/api/v1/events', { headers, signal, cache: 'no-store' });
  if (response.status === 401) return 'unauthorized';
  if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
  setStatus('live');
  // A reconnect that cannot name what it saw last may have missed anything.
  if (connections++ > 0 && !hadEvents) for (const s of subscribers) s.onReset?.();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let watchdog = setTimeout(() => own.abort(), HEARTBEAT_TIMEOUT_MS);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'ended';
      clearTimeout(watchdog);
      watchdog = setTimeout(() => own.abort(), HEARTBEAT_TIMEOUT_MS);
      buffer = consume(buffer + value);
    }
  } finally {
    clearTimeout(watchdog);
  }
}

/** The loop that owns the stream; an older loop that wakes up sees it was replaced and ends. */
let currentLoop = 0;

async function run(loop: number): Promise<void> {
  let backoff = 1_000;
  while (loop === currentLoop && subscribers.size > 0) {
    const own = new AbortController();
    controller = own;
    try {
      const outcome = await readStream(own);
      if (outcome === 'unauthorized') {
        // Wait for a sign-in (see subscribeAuth below), which starts a new loop.
        if (loop === currentLoop) {
          controller = null;
          currentLoop++;
          setStatus('reconnecting');
          requireLogin();
        }
        return;
      }
      backoff = 1_000;
    } catch {
      // Aborted (stopped, replaced, or silent too long) or the network failed: try again below.
    }
    if (loop !== currentLoop || subscribers.size === 0) break;
    setStatus('reconnecting');
    await new Promise((resolve) => setTimeout(resolve, backoff * (0.8 + Math.random() * 0.4)));
    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
  }
  if (loop === currentLoop) controller = null;
}

function ensureRunning(): void {
  if (stopTimer) {
    clearTimeout(stopTimer);
    stopTimer = null;
  }
  if (!controller) {
    if (status === 'live') setStatus('connecting');
    void run(++currentLoop);
  }
}

function stop(): void {
  currentLoop++;
  controller?.abort();
  controller = null;
}

function scheduleStop(): void {
  if (subscribers.size > 0 || stopTimer) return;
  stopTimer = setTimeout(() => {
    stopTimer = null;
    if (subscribers.size === 0) stop();
  }, LINGER_MS);
}

// A sign-in restarts a stream the server refused; a sign-out drops it.
let tokenSeen = currentToken();
subscribeAuth(() => {
  const token = currentToken();
  if (token === tokenSeen) return;
  tokenSeen = token;
  stop();
  lastEventId = null;
  connections = 0;
  if (token !== null && subscribers.size > 0) ensureRunning();
});

export interface EventOptions {
  /** Only events of this job. */
  job?: string;
  /** The stream could not replay what was missed: refetch. */
  onReset?: () => void;
}

/** Calls `onEvent` for each job or run event (of `job`, when given) while mounted. */
export function useEvents(onEvent: (event: SchedulerEvent) => void, options: EventOptions = {}): void {
  const latest = useRef({ onEvent, onReset: options.onReset });
  latest.current = { onEvent, onReset: options.onReset };
  const { job } = options;
  useEffect(() => {
    const subscriber: Subscriber = {
      job,
      onEvent: (e) => latest.current.onEvent(e),
      onReset: () => latest.current.onReset?.(),
    };
    subscribers.add(subscriber);
    ensureRunning();
    return () => {
      subscribers.delete(subscriber);
      scheduleStop();
    };
  }, [job]);
}

/** Whether the live stream is connected, for the indicator in the nav. */
export function useStreamStatus(): StreamStatus {
  return useSyncExternalStore(
    (listener) => {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    () => status,
  );
}
