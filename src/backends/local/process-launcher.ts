/**
 * Starting a job under the crash-safe /bin/sh wrapper.
 *
 * The wrapper runs detached (own session and process group, so it outlives the server
 * and a kill can reach the whole group), with cwd = the run dir and stdout/stderr on
 * files the parent opened (no pipes: nothing breaks when the server dies). It
 *   1. writes "<its pid> <its start time>" to `pid` (tmp + mv) before anything else,
 *   2. runs the job as its child (`(exec "$@")`: a subshell that execs the program, so a
 *      program named like a shell builtin is still looked up in PATH),
 *   3. writes the job's status to `exit` (tmp + mv) and exits with it.
 * It ignores HUP/INT/TERM with a no-op trap (the job gets default dispositions back on
 * exec) so that a TERM sent to the group ends the job and still lets the wrapper record
 * the status; only SIGKILL stops it from writing `exit`.
 *
 * If the pid file cannot be written the job is not started and the wrapper exits 125.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants as fsConstants, openSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const SHELL = '/bin/sh';

/** Exit status of the wrapper when it could not record its pid (the job never ran). */
export const WRAPPER_SETUP_FAILED = 125;

export const WRAPPER_SCRIPT = [
  'mv=$1; shift',
  'set -f',
  "trap ':' HUP INT TERM",
  'st=',
  '_st() { shift 19; st=$1; }',
  // Field 22 of /proc/$$/stat: drop "pid (comm) ", then field 22 is word 20.
  'if [ -r /proc/$$/stat ] && read -r s < /proc/$$/stat; then _st ${s##*) }; fi',
  `printf '%s %s\\n' "$$" "$st" > pid.tmp && "$mv" -f pid.tmp pid || { echo "moroccron: cannot write the pid file in $PWD" >&2; exit ${WRAPPER_SETUP_FAILED}; }`,
  '(exec "$@")',
  'c=$?',
  `printf '%s\\n' "$c" > exit.tmp && "$mv" -f exit.tmp exit`,
  'exit "$c"',
].join('\n');

/** Absolute path of `mv` on this host (the job's env may change PATH, the wrapper's mv must not move). */
export function findMv(path = process.env.PATH ?? ''): string {
  for (const dir of path.split(delimiter)) {
    if (dir === '' || !dir.startsWith('/')) continue;
    const candidate = join(dir, 'mv');
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return '/bin/mv';
}

export interface LaunchRequest {
  /** The run dir: the wrapper's and the job's cwd. */
  cwd: string;
  stdoutPath: string;
  stderrPath: string;
  /** The job's program and arguments (for a shell command: /bin/sh -c <command>). */
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  mvPath: string;
}

/**
 * Spawn the wrapper. Throws on failures before the spawn (opening the log files);
 * spawn failures themselves arrive as the child's 'error' event with `pid` undefined.
 */
export function spawnWrapped(request: LaunchRequest): ChildProcess {
  const out = openSync(request.stdoutPath, 'a');
  let err: number | null = null;
  try {
    err = openSync(request.stderrPath, 'a');
    return spawn(SHELL, ['-c', WRAPPER_SCRIPT, 'moroccron', request.mvPath, ...request.argv], {
      cwd: request.cwd,
      env: request.env,
      stdio: ['ignore', out, err],
      detached: true,
    });
  } finally {
    closeSync(out);
    if (err !== null) closeSync(err);
  }
}
