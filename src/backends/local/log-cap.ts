/**
 * The per-run cap on each of a run's two logs (stdout, stderr), as the wrapper applies it.
 *
 * The copier that writes a capped log runs under RLIMIT_FSIZE, which `ulimit -f` sets in
 * 512-byte blocks, so the cap is rounded up to a multiple of 512 bytes. The job itself
 * never runs under that limit.
 */

export const DEFAULT_MAX_LOG_BYTES = 64 * 1024 * 1024;

const BLOCK_BYTES = 512;

export interface LogCap {
  /** The cap in bytes after rounding; 0 means unlimited (no copiers, logs written directly). */
  bytes: number;
  /** The cap in `ulimit -f` blocks. */
  blocks: number;
  /** The last line of a log whose stream went beyond the cap. */
  marker: string;
}

function formatBytes(n: number): string {
  for (const [unit, size] of [['GiB', 1 << 30], ['MiB', 1 << 20], ['KiB', 1 << 10]] as const) {
    if (n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} bytes`;
}

/** The cap for `maxLogBytes` (a non-negative integer; 0 = unlimited). Throws a RangeError otherwise. */
export function logCap(maxLogBytes: number = DEFAULT_MAX_LOG_BYTES): LogCap {
  if (!Number.isSafeInteger(maxLogBytes) || maxLogBytes < 0) {
    throw new RangeError(`the log size cap must be a whole number of bytes, 0 for unlimited; got ${String(maxLogBytes)}`);
  }
  const blocks = Math.ceil(maxLogBytes / BLOCK_BYTES);
  const bytes = blocks * BLOCK_BYTES;
  return { bytes, blocks, marker: bytes === 0 ? '' : `[moroccron: output beyond ${formatBytes(bytes)} discarded]` };
}
