/** A task's command as a real process in its own process group, logs in the sandbox. */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { CommandInfo } from '../types.js';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the command could not be started at all. */
  error?: string;
}

const SIGNAL_TEXT: Partial<Record<NodeJS.Signals, string>> = {
  SIGTERM: 'Terminated',
  SIGKILL: 'Killed',
  SIGINT: 'Interrupt',
  SIGHUP: 'Hangup',
  SIGSEGV: 'Segmentation fault',
  SIGABRT: 'Aborted',
};

/** The command executor's wording for how the command ended. */
export function describeExit(exit: ProcessExit): string {
  if (exit.error) return `Failed to launch command: ${exit.error}`;
  if (exit.signal) return `Command terminated with signal ${SIGNAL_TEXT[exit.signal] ?? exit.signal}`;
  return `Command exited with status ${exit.code ?? 0}`;
}

export class TaskProcess {
  private killTimer: NodeJS.Timeout | undefined;
  private exited = false;

  private constructor(readonly pid: number | undefined) {}

  static start(command: CommandInfo, cwd: string, env: NodeJS.ProcessEnv, stdoutPath: string, stderrPath: string, onExit: (exit: ProcessExit) => void): TaskProcess {
    const out = openSync(stdoutPath, 'a');
    const err = openSync(stderrPath, 'a');
    const shell = command.shell ?? true;
    const argv = command.arguments ?? [];
    const child = shell
      ? spawn('/bin/sh', ['-c', command.value ?? ''], { cwd, env, stdio: ['ignore', out, err], detached: true })
      : spawn(command.value ?? '', argv.slice(1), { cwd, env, stdio: ['ignore', out, err], detached: true, argv0: argv[0] ?? command.value ?? '' });
    closeSync(out);
    closeSync(err);
    const proc = new TaskProcess(child.pid);
    const finish = (exit: ProcessExit): void => {
      if (proc.exited) return;
      proc.exited = true;
      if (proc.killTimer) clearTimeout(proc.killTimer);
      onExit(exit);
    };
    child.once('error', (e) => finish({ code: null, signal: null, error: e.message }));
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
