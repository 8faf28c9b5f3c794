/**
 * What the connection reports. Every stream record becomes exactly one message:
 * SUBSCRIBED → `connected`, ERROR → `error` (origin 'event'), anything else → `event`.
 */
import type { Event, MasterInfo } from '../types.js';

export type StreamEvent = Exclude<Event, { type: 'SUBSCRIBED' } | { type: 'ERROR' }>;

export type ConnectionMessage =
  | {
      type: 'connected';
      frameworkId: string;
      streamId: string;
      /** Origin of the master that answered, after redirects. */
      master: string;
      heartbeatIntervalSeconds: number;
      masterInfo?: MasterInfo;
    }
  | { type: 'event'; event: StreamEvent }
  /** A subscribed stream ended; the connection reconnects unless closed. */
  | { type: 'disconnected'; reason: string }
  | {
      type: 'error';
      message: string;
      /**
       * True only when the connection has stopped for good (SUBSCRIBE answered a 4xx other than
       * 401). A 401 (credentials missing or refused) is not fatal: it is retried with backoff.
       */
      fatal: boolean;
      /** 'event': the master's ERROR event text, verbatim. 'http': an HTTP status. 'transport': network or protocol. */
      origin: 'event' | 'http' | 'transport';
      status?: number;
    };

export type CallResult =
  /** `accepted`: 202, or 200 for UPDATE_FRAMEWORK. 400/403 bodies say why (docs/mesos.md#call-errors). */
  | { kind: 'response'; status: number; body: string; accepted: boolean }
  | { kind: 'failed'; reason: 'not-subscribed' | 'closed' | 'timeout' | 'network'; message: string };
