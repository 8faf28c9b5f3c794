/**
 * The per-run cap on each of a run's two logs (stdout, stderr), as the log copier applies
 * it (run-log-copy.ts). The job itself never runs under a limit.
 */

export const DEFAULT_MAX_LOG_BYTES = 64 * 1024 * 1024;

export interface LogCap {
  /** The cap in bytes; 0 means unlimited (no copier, logs written directly). */
  bytes: number;
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
  return { bytes: maxLogBytes, marker: maxLogBytes === 0 ? '' : `[moroccron: output beyond ${formatBytes(maxLogBytes)} discarded]` };
}
