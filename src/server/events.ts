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

  subscribe(listener: (item: { id: number; event: SchedulerEvent }) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
