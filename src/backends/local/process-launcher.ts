/**
 * Starting a job under the crash-safe /bin/sh wrapper (wrapper-script.ts): detached (own
 * session and process group, so it outlives the server and a kill can reach the whole
 * group), cwd = the run dir, stdout/stderr on log files the launcher opened (no pipes to
 * the server: nothing breaks when it dies); with a log cap only stderr, for the wrapper's
 * own words, as the job writes to the log copier.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { WRAPPER_SCRIPT, wrapperParameters } from './wrapper-script.js';

export const SHELL = '/bin/sh';

export interface LaunchRequest {
  /** The run dir: the wrapper's cwd. */
  cwd: string;
  /** The job's working directory, relative to the run dir ("." for the run dir itself). */
  jobDir: string;
  stdoutPath: string;
  stderrPath: string;
  /** The job's program and arguments (for a shell command: /bin/sh -c <command>). */
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  /** "copier": the log copier has taken the run's FIFOs (a cap); "direct": no cap. */
  logs: 'copier' | 'direct';
  /** The `cgroup.procs` files of the run's cgroups (none without isolation). */
  cgroupProcs: readonly string[];
}

/**
 * Spawn the wrapper. Throws on failures before the spawn (opening the log files) and on
 * spawn failures Node reports synchronously (E2BIG, a NUL byte in an argument); others
 * arrive as the child's 'error' event with `pid` undefined.
 */
export function spawnWrapped(request: LaunchRequest): ChildProcess {
  // Through the copier the job's stdout never passes the wrapper's, and the copier creates the log at its first byte.
  const out = request.logs === 'direct' ? openSync(request.stdoutPath, 'a') : 'ignore';
  let err: number | null = null;
  try {
    err = openSync(request.stderrPath, 'a');
    const parameters = wrapperParameters({ logs: request.logs, jobDir: request.jobDir, cgroupProcs: request.cgroupProcs, argv: request.argv });
    return spawn(SHELL, ['-c', WRAPPER_SCRIPT, ...parameters], {
      cwd: request.cwd,
      env: request.env,
      stdio: ['ignore', out, err],
      detached: true,
    });
  } finally {
    if (out !== 'ignore') closeSync(out);
    if (err !== null) closeSync(err);
  }
}

/** Why a spawn failed, in words a job's owner can act on. */
export function describeSpawnError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'E2BIG') {
    return 'cannot start the process: its command or args and environment are too long for the system (E2BIG: each argument or NAME=value must stay under 128 KiB, all of them together under ARG_MAX, usually 2 MiB)';
  }
  if (code === 'ERR_INVALID_ARG_VALUE' && message.includes('null bytes')) {
    // Node's own message names the argument by its index in the wrapper's argv: not the job's.
    return 'cannot start the process: an argument or environment value contains a NUL byte, which no program can receive';
  }
  return `cannot start the process: ${message}`;
}
