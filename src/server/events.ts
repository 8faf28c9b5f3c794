/**
 * Job and run changes, fanned out to server-sent-event clients and metrics. Each event's id is
 * `<stream>:<n>`: the stream is random per process, n counts from 1. The last REPLAY_SIZE
 * events are kept, so a client that reconnects with the last id it saw gets what it missed;
 * one that names another stream (another process or member) or an event no longer kept is
 * told to start over.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { SchedulerEvent } from '../core/types.js';

export const REPLAY_SIZE = 1000;

export interface BusEvent {
  /** `<stream>:<n>` */
  id: string;
  event: SchedulerEvent;
}

export class EventBus {
  /** Names this process's events: an id from any other stream cannot be resumed here. */
  readonly stream = randomBytes(6).toString('hex');
  private readonly emitter = new EventEmitter();
  private published = 0;
  /** The newest events, oldest first: event n is at index n - 1 - (published - kept.length). */
  private readonly kept: BusEvent[] = [];

  constructor(private readonly replaySize = REPLAY_SIZE) {
    // Every open /api/v1/events stream is a listener.
    this.emitter.setMaxListeners(0);
  }

  /** The id of the newest event, or `<stream>:0` before any. */
  get lastId(): string {
    return `${this.stream}:${this.published}`;
  }

  publish(event: SchedulerEvent): void {
    const item = { id: `${this.stream}:${++this.published}`, event };
    this.kept.push(item);
    if (this.kept.length > this.replaySize) this.kept.shift();
    this.emitter.emit('event', item);
  }

  /**
   * The events after `lastId`, oldest first, or null when they cannot all be given: an id of
   * another stream, not an id at all, or one older than what is kept. Call it in the same
   * turn as subscribe(), so nothing is published in between.
   */
  since(lastId: string): BusEvent[] | null {
    const match = /^([0-9a-f]+):(\d{1,15})$/.exec(lastId);
    if (!match || match[1] !== this.stream) return null;
    const seen = Number(match[2]);
    const oldestKept = this.published - this.kept.length + 1;
    if (seen > this.published || seen < oldestKept - 1) return null;
    return this.kept.slice(seen - oldestKept + 1);
  }

  /** `onEnd` is called when the bus closes (the server shuts down): an open stream must end then. */
  subscribe(listener: (item: BusEvent) => void, onEnd?: () => void): () => void {
    this.emitter.on('event', listener);
    if (onEnd) this.emitter.once('end', onEnd);
    return () => {
      this.emitter.off('event', listener);
      if (onEnd) this.emitter.off('end', onEnd);
    };
  }

  /** End every subscription: streams close so the HTTP server can stop without waiting for them. */
  close(): void {
    this.emitter.emit('end');
    this.emitter.removeAllListeners();
  }
}
