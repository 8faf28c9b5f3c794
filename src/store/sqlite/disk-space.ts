/**
 * SQLite on a full disk says "disk I/O error" or "database or disk is full", depending on
 * which file it could not grow. Both get the fact an operator needs added: how much room is
 * left where the database lives.
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';

const NEARLY_FULL_BYTES = 1024 * 1024;

/** The error, its message naming the file and (when it is nearly out of room) the free space; SQLite's `code` is kept. */
export function withDiskSpace(path: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const described = new Error(`sqlite:${path}: ${message}${spaceHint(path)}`, { cause: error });
  return typeof code === 'string' ? Object.assign(described, { code }) : described;
}

function spaceHint(path: string): string {
  try {
    const fs = statfsSync(dirname(path));
    const free = Number(fs.bavail) * Number(fs.bsize);
    return free < NEARLY_FULL_BYTES ? `; the file system holding it is full (${Math.floor(free / 1024)} KiB free)` : '';
  } catch {
    return '';
  }
}
