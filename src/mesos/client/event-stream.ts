/** SUBSCRIBE body bytes → RecordIO records → Event JSON, in order (docs/mesos.md#recordio). */
import { RecordIODecoder } from '../recordio.js';
import type { Event } from '../types.js';

export class EventStreamError extends Error {}

export function parseEvent(record: Buffer): Event {
  let value: unknown;
  try {
    value = JSON.parse(record.toString('utf8'));
  } catch (err) {
    throw new EventStreamError(`event record is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') {
    throw new EventStreamError('event record has no "type"');
  }
  return value as Event;
}

/** `onBytes` runs for every chunk: liveness is any byte, not only a whole record. */
export async function* decodeEvents(chunks: AsyncIterable<Uint8Array>, onBytes: () => void): AsyncGenerator<Event> {
  const decoder = new RecordIODecoder();
  for await (const chunk of chunks) {
    onBytes();
    for (const record of decoder.push(chunk)) yield parseEvent(record);
  }
}
