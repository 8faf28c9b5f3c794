/**
 * Turning what the wrapper or the kernel says about a finished process into the
 * (exitCode, signal) pair of a `run-exited` message.
 *
 * sh reports a child killed by signal N as status 128+N; the wrapper passes that status
 * on (exit file and its own exit code). We map such a status back to the signal's name
 * when N is a signal whose default action terminates the process, so a run reads the
 * same whether the server watched it live or found its exit file after a restart. A job
 * that itself calls `exit 143` is therefore reported as SIGTERM: sh cannot tell the two
 * apart either.
 */
import { constants } from 'node:os';

export interface ExitOutcome {
  exitCode: number | null;
  signal: string | null;
}

/** Signals whose default action ends the process (Linux names; absent ones are skipped). */
const TERMINATING_SIGNALS = [
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGKILL',
  'SIGUSR1',
  'SIGSEGV',
  'SIGUSR2',
  'SIGPIPE',
  'SIGALRM',
  'SIGTERM',
  'SIGSTKFLT',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGVTALRM',
  'SIGPROF',
  'SIGIO',
  'SIGPWR',
  'SIGSYS',
] as const;

const signalNumbers = constants.signals as unknown as Record<string, number | undefined>;

const SIGNAL_BY_NUMBER: ReadonlyMap<number, string> = (() => {
  const map = new Map<number, string>();
  for (const name of TERMINATING_SIGNALS) {
    const n = signalNumbers[name];
    if (n !== undefined && !map.has(n)) map.set(n, name);
  }
  return map;
})();

/** The signal name a shell status 128+N stands for, or null if it is a plain exit code. */
export function signalForShellStatus(status: number): string | null {
  if (!Number.isInteger(status) || status <= 128) return null;
  return SIGNAL_BY_NUMBER.get(status - 128) ?? null;
}

/** From a child's exit event (or an exit file's status, with signal null). */
export function exitOutcome(code: number | null, signal: string | null): ExitOutcome {
  if (signal !== null) return { exitCode: null, signal };
  if (code === null) return { exitCode: null, signal: null };
  const fromShell = signalForShellStatus(code);
  return fromShell !== null ? { exitCode: null, signal: fromShell } : { exitCode: code, signal: null };
}
