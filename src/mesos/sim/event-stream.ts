import type { ServerResponse } from 'node:http';
import type { Event } from '../types.js';
import { encodeRecord } from '../recordio.js';

/** One SUBSCRIBE response: RecordIO-framed JSON events and a heartbeat timer. */
export class EventStream {
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly streamId: string,
    private readonly res: ServerResponse,
    onClientGone: () => void,
  ) {
    res.on('close', () => {
      const wasOpen = !this.closed;
      this.stop();
      if (wasOpen) onClientGone();
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  send(event: Event | Record<string, unknown>): void {
    if (!this.closed) this.res.write(encodeRecord(JSON.stringify(event)));
  }

  /** A HEARTBEAT at once, then one per interval. */
  startHeartbeats(intervalSeconds: number): void {
    this.send({ type: 'HEARTBEAT' });
    this.heartbeat = setInterval(() => this.send({ type: 'HEARTBEAT' }), intervalSeconds * 1000);
  }

  /** Ends the response; the client-gone callback is not called for a close we initiate. */
  close(): void {
    if (this.closed) return;
    this.stop();
    this.res.end();
  }

  /** The master process died: stop without ending the response (its socket gets destroyed). */
  drop(): void {
    this.stop();
  }

  private stop(): void {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
