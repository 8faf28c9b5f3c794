/** A task's command as a real process in its own process group, logs in the sandbox. */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { CommandInfo } from '../types.js';
import type { TaskOwner } from './task-user.js';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const SIGNAL_TEXT: Partial<Record<NodeJS.Signals, string>> = {
  SIGTERM: 'Terminated',
  SIGKILL: 'Killed',
  SIGINT: 'Interrupt',
  SIGHUP: 'Hangup',
  SIGSEGV: 'Segmentation fault',
  SIGABRT: 'Aborted',
};

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The command executor's wording for how the command ended. */
export function describeExit(exit: ProcessExit): string {
  if (exit.signal) return `Command terminated with signal ${SIGNAL_TEXT[exit.signal] ?? exit.signal}`;
  return `Command exited with status ${exit.code ?? 0}`;
}

/** Why execvp(file) would fail, in strerror words; undefined when it would run. */
export function execFailure(file: string, cwd: string, pathEnv: string | undefined): string | undefined {
  if (file === '') return 'No such file or directory';
  const candidates = file.includes('/') ? [isAbsolute(file) ? file : join(cwd, file)] : (pathEnv ?? DEFAULT_PATH).split(':').map((dir) => join(dir === '' ? cwd : dir, file));
  let denied = false;
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isDirectory()) {
        denied = true;
        continue;
      }
      accessSync(candidate, constants.X_OK);
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EACCES') denied = true;
    }
  }
  return denied ? 'Permission denied' : 'No such file or directory';
}

// The real command executor forks, the exec fails in the child, which reports it and exits 1:
// a task that started and then failed, not a launch error. This child does exactly that.
const EXEC_FAILED_SCRIPT = 'printf "Failed to execute command: %s\\n" "$1" >&2; exit 1';

export class TaskProcess {
  private killTimer: NodeJS.Timeout | undefined;
  private exited = false;

  private constructor(readonly pid: number | undefined) {}

  /** `owner`: the user the command runs as (uid and primary group), null for the sim's own. */
  static start(
    command: CommandInfo,
    cwd: string,
    env: NodeJS.ProcessEnv,
    logs: { stdout: string; stderr: string },
    owner: TaskOwner | null,
    onExit: (exit: ProcessExit) => void,
  ): TaskProcess {
    const out = openSync(logs.stdout, 'a');
    const err = openSync(logs.stderr, 'a');
    const options = { cwd, env, stdio: ['ignore', out, err] as ['ignore', number, number], detached: true, ...(owner ?? {}) };
    const shell = command.shell ?? true;
    const argv = command.arguments ?? [];
    const file = command.value ?? '';
    const failure = shell ? undefined : execFailure(file, cwd, env.PATH);
    const child = shell
      ? spawn('/bin/sh', ['-c', file], options)
      : failure !== undefined
        ? spawn('/bin/sh', ['-c', EXEC_FAILED_SCRIPT, 'sh', failure], options)
        : spawn(file, argv.slice(1), { ...options, argv0: argv[0] ?? file });
    closeSync(out);
    closeSync(err);
    const proc = new TaskProcess(child.pid);
    const finish = (exit: ProcessExit): void => {
      if (proc.exited) return;
      proc.exited = true;
      if (proc.killTimer) clearTimeout(proc.killTimer);
      onExit(exit);
    };
    // Only a race (the binary vanished after the check) gets here: treated like the failed exec above.
    child.once('error', () => finish({ code: 1, signal: null }));
    child.once('exit', (code, signal) => finish({ code, signal }));
    return proc;
  }

  get hasExited(): boolean {
    return this.exited;
  }

  /** SIGTERM the group, SIGKILL it after the grace period. */
  terminate(graceMs: number): void {
    if (this.exited || this.killTimer) return;
    this.signal('SIGTERM');
    this.killTimer = setTimeout(() => this.signal('SIGKILL'), graceMs);
  }

  killNow(): void {
    this.signal('SIGKILL');
  }

  private signal(sig: NodeJS.Signals): void {
    if (this.pid === undefined || this.exited) return;
    try {
      process.kill(-this.pid, sig);
    } catch {
      // already gone
    }
  }
}
