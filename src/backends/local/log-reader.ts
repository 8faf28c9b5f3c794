/**
 * Paged reads of a run's stdout/stderr: at most `limit` bytes from `offset`, never the
 * whole file, decoded as UTF-8 without splitting a multi-byte character at the end.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { LogChunk } from '../types.js';

/** Length in bytes of the UTF-8 sequence a lead byte starts (1 for invalid bytes). */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) === 0xc0) return 2;
  if ((lead & 0xf0) === 0xe0) return 3;
  if ((lead & 0xf8) === 0xf0) return 4;
  return 1;
}

/**
 * How many of the first `n` bytes of `buf` end on a character boundary: a trailing,
 * incomplete multi-byte sequence is held back. Invalid bytes are passed through.
 */
export function completeLength(buf: Uint8Array, n: number): number {
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const b = buf[i]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    return i + sequenceLength(b) > n ? i : n;
  }
  return n;
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await fh.read(buf, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buf : buf.subarray(0, filled);
}

/**
 * Read a chunk of `path`. Offsets are clamped to [0, size]. When `limit` is too small
 * for even the first character at `offset` (limit < its 2-4 bytes), that one character
 * is returned whole, so a reader paging with a tiny limit still makes progress. A
 * missing file reads as empty.
 */
export async function readLogChunk(path: string, offset: number, limit: number): Promise<LogChunk> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { data: '', offset: 0, nextOffset: 0, size: 0 };
    throw e;
  }
  try {
    const size = (await fh.stat()).size;
    const start = Number.isFinite(offset) ? Math.min(Math.max(0, Math.floor(offset)), size) : offset > 0 ? size : 0;
    const lim = Number.isNaN(limit) ? 0 : Math.max(0, Math.floor(limit));
    let buf = await readAt(fh, start, Math.min(lim, size - start));
    let end = completeLength(buf, buf.length);
    if (end === 0 && buf.length > 0) {
      const need = sequenceLength(buf[0]!);
      if (start + need <= size) {
        buf = await readAt(fh, start, need);
        end = completeLength(buf, buf.length);
      }
    }
    return { data: buf.subarray(0, end).toString('utf8'), offset: start, nextOffset: start + end, size };
  } finally {
    await fh.close();
  }
}
