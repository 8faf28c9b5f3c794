/**
 * A client of /api/v1/events as the web UI is one: it reads the stream, remembers the last
 * event id, and after a lost connection comes back with it (Last-Event-ID). `reset` frames
 * (what was missed is gone) are counted apart.
 */
export interface EventStreamCounts {
  connections: number;
  /** `event: run` and `event: job` frames. */
  events: number;
  resets: number;
  bytes: number;
  /** Connections that failed or ended while the client still wanted them. */
  dropped: number;
  lastId: string | null;
}

export class EventStreamClient {
  readonly counts: EventStreamCounts = { connections: 0, events: 0, resets: 0, bytes: 0, dropped: 0, lastId: null };
  private abort: AbortController | null = null;

  constructor(private readonly baseUrl: string) {}

  /** Read the stream until close() (or `forMs`), coming back after each lost connection. */
  async run(forMs = Infinity): Promise<void> {
    const until = Date.now() + forMs;
    const abort = (this.abort = new AbortController());
    if (forMs !== Infinity) setTimeout(() => abort.abort(), forMs).unref();
    while (!abort.signal.aborted && Date.now() < until) {
      try {
        await this.readOnce(abort.signal);
      } catch {
        // aborted, or the connection failed: counted below unless aborted
      }
      if (abort.signal.aborted) break;
      this.counts.dropped++;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  close(): void {
    this.abort?.abort();
  }

  private async readOnce(signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = this.counts.lastId === null ? {} : { 'last-event-id': this.counts.lastId };
    const response = await fetch(`${this.baseUrl}/api/v1/events`, { headers, signal });
    if (!response.ok || response.body === null) throw new Error(`GET /api/v1/events: HTTP ${response.status}`);
    this.counts.connections++;
    const decoder = new TextDecoder();
    let pending = '';
    for await (const chunk of response.body) {
      this.counts.bytes += chunk.byteLength;
      pending += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = pending.indexOf('\n\n')) >= 0) {
        this.frame(pending.slice(0, end));
        pending = pending.slice(end + 2);
      }
    }
  }

  private frame(frame: string): void {
    for (const line of frame.split('\n')) {
      if (line.startsWith('id: ')) this.counts.lastId = line.slice(4);
      else if (line === 'event: run' || line === 'event: job') this.counts.events++;
      else if (line === 'event: reset') this.counts.resets++;
    }
  }
}
