/**
 * RecordIO, the framing of the SUBSCRIBE stream: `<decimal byte length>\n<bytes>`,
 * repeated. Decoded over bytes, never strings: chunk boundaries fall anywhere, even
 * inside a multi-byte character or a length prefix.
 */

export function encodeRecord(payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  return Buffer.concat([Buffer.from(`${body.length}\n`, 'ascii'), body]);
}

export class RecordIOError extends Error {}

/** Largest record accepted; a length beyond it means a corrupt or hostile stream. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

export class RecordIODecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private broken: RecordIOError | null = null;

  /**
   * Feed bytes; returns every record completed by them. Records before corrupt bytes are
   * still returned; the error is thrown by the next push.
   */
  push(chunk: Uint8Array): Buffer[] {
    if (this.broken) throw this.broken;
    const records: Buffer[] = [];
    try {
      this.decode(chunk, records);
    } catch (error) {
      if (!(error instanceof RecordIOError) || records.length === 0) throw error;
      this.broken = error;
    }
    return records;
  }

  private decode(chunk: Uint8Array, records: Buffer[]): void {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const newline = this.buffer.indexOf(0x0a);
      if (newline < 0) {
        if (this.buffer.length > 20) throw new RecordIOError('record length prefix longer than 20 bytes');
        break;
      }
      const prefix = this.buffer.subarray(0, newline).toString('ascii').trim();
      // The reference parser tolerates empty lines between records.
      if (prefix === '') {
        this.buffer = this.buffer.subarray(newline + 1);
        continue;
      }
      if (!/^\d+$/.test(prefix)) throw new RecordIOError(`bad record length "${prefix.slice(0, 20)}"`);
      const length = Number(prefix);
      if (length > MAX_RECORD_BYTES) throw new RecordIOError(`record of ${length} bytes is too large`);
      if (this.buffer.length < newline + 1 + length) break;
      records.push(Buffer.from(this.buffer.subarray(newline + 1, newline + 1 + length)));
      this.buffer = this.buffer.subarray(newline + 1 + length);
    }
  }

  /** Bytes received that do not yet make a whole record. */
  get pending(): number {
    return this.buffer.length;
  }
}
