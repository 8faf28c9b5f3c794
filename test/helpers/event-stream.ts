/** Read /api/v1/events over real HTTP: every frame as it arrives, parsed into its fields. */
import { eventually } from './server-process.js';

export interface SseFrame {
  id: string | null;
  event: string | null;
  data: string | null;
  /** Comment lines (`: keep-alive`). */
  comments: string[];
}

export interface EventStream {
  status: number;
  frames: SseFrame[];
  /** Frames with an `event:` (what an EventSource dispatches), in order. */
  events(): SseFrame[];
  /** The last id the stream has given: what a client sends back as Last-Event-ID. */
  lastId(): string | null;
  /** Wait until `check` holds for the frames so far. */
  until(check: (frames: SseFrame[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function parseFrame(block: string): SseFrame {
  const frame: SseFrame = { id: null, event: null, data: null, comments: [] };
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) frame.comments.push(line.slice(1).trim());
    const m = /^(id|event|data): ?(.*)$/.exec(line);
    if (m) frame[m[1] as 'id' | 'event' | 'data'] = m[2]!;
  }
  return frame;
}

export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const frames: SseFrame[] = [];
  const reading = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        frames.push(parseFrame(buffer.slice(0, end)));
        buffer = buffer.slice(end + 2);
      }
    }
  })().catch(() => {});
  return {
    status: response.status,
    frames,
    events: () => frames.filter((f) => f.event !== null),
    lastId: () => frames.reduce<string | null>((id, f) => f.id ?? id, null),
    until: (check, what, timeoutMs = 10_000) => eventually(async () => (check(frames) ? true : undefined), timeoutMs, what).then(() => {}),
    close: async () => {
      controller.abort();
      await reading;
    },
  };
}
