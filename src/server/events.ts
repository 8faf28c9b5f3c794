/** Job and run changes, fanned out to server-sent-event clients and metrics. */
import { EventEmitter } from 'node:events';
import type { SchedulerEvent } from '../core/types.js';

export class EventBus {
  private readonly emitter = new EventEmitter();
  private nextId = 1;

  constructor() {
    // Every open /api/v1/events stream is a listener.
    this.emitter.setMaxListeners(0);
  }

  publish(event: SchedulerEvent): void {
    this.emitter.emit('event', { id: this.nextId++, event });
  }

  /** `onEnd` is called when the bus closes (the server shuts down): an open stream must end then. */
  subscribe(listener: (item: { id: number; event: SchedulerEvent }) => void, onEnd?: () => void): () => void {
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
