import type { ServerResponse } from 'node:http';
import type { Event } from '../types.js';
import { encodeRecord } from '../recordio.js';

/**
 * One SUBSCRIBE response: RecordIO-framed JSON events and a heartbeat timer. Every event is a
 * record of its own, as the master sends them; the records of one turn of the event loop go out
 * in one write (thousands of UPDATEs a second would otherwise be as many chunks).
 */
export class EventStream {
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;
  private pending: Buffer[] = [];
  private flushing: NodeJS.Immediate | undefined;

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
    if (this.closed) return;
    this.pending.push(encodeRecord(JSON.stringify(event)));
    this.flushing ??= setImmediate(() => this.flush());
  }

  /** A HEARTBEAT at once, then one per interval. */
  startHeartbeats(intervalSeconds: number): void {
    this.send({ type: 'HEARTBEAT' });
    this.heartbeat = setInterval(() => this.send({ type: 'HEARTBEAT' }), intervalSeconds * 1000);
  }

  /** Sends what is pending, then ends the response; the client-gone callback is not called for a close we initiate. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.stop();
    this.res.end();
  }

  /** The master process died: stop without ending the response (its socket gets destroyed); pending events are lost. */
  drop(): void {
    this.stop();
  }

  private flush(): void {
    this.flushing = undefined;
    if (this.closed || this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    this.res.write(records.length === 1 ? records[0]! : Buffer.concat(records));
  }

  private stop(): void {
    this.closed = true;
    this.pending = [];
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
