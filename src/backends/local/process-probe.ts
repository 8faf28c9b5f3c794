/**
 * Is a process (still) the one we started? Uses kill(pid, 0) plus /proc/<pid>/stat:
 * field 3 (state, a zombie counts as gone) and field 22 (start time in clock ticks since
 * boot), so a pid the kernel handed to another process is never mistaken for ours.
 */
import { existsSync, readFileSync } from 'node:fs';

const PROC_AVAILABLE = existsSync('/proc/self/stat');

export interface ProcStat {
  state: string;
  /** Field 22 of /proc/<pid>/stat, as text. */
  startTime: string;
}

/** null: no such process; undefined: /proc is not available on this system. */
export function readProcStat(pid: number): ProcStat | null | undefined {
  if (!PROC_AVAILABLE) return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2 (comm) is in parentheses and may itself contain spaces or ")".
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text.slice(close + 2).trim().split(/\s+/); // fields[0] is field 3
  const state = fields[0];
  const startTime = fields[19];
  if (state === undefined || startTime === undefined) return null;
  return { state, startTime };
}

/** The start time of a live process, or null if unknown. */
export function processStartTime(pid: number): string | null {
  return readProcStat(pid)?.startTime ?? null;
}

function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True if `pid` is alive, not a zombie and, when `startTime` is given and /proc is
 * readable, started at that time.
 */
export function isAlive(pid: number, startTime: string | null): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  if (!exists(pid)) return false;
  const stat = readProcStat(pid);
  if (stat === undefined) return true; // no /proc: kill(pid, 0) is all we have
  if (stat === null) return false;
  if (stat.state === 'Z' || stat.state === 'X' || stat.state === 'x') return false;
  return startTime === null || stat.startTime === startTime;
}

/** Does any process still belong to process group `pgid`? */
export function groupExists(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Send `signal` to the whole process group; false if the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}
