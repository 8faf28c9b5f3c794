/**
 * The crash-safe /bin/sh wrapper every local run goes through (POSIX sh, run by dash on
 * Debian). It runs detached in its own session and process group, with cwd = the run dir
 * and stdout/stderr on the log files the server opened, and it
 *   1. writes "<its pid> <its start time>\n" to `pid` before anything else;
 *   2. runs the job as its own child, so `$?` is the job's status exactly as sh reports it
 *      (128+N: killed by signal N);
 *   3. writes "<that status>\n" to `exit`, and exits with it.
 * Each file is written by one short write(2) of the shell's printf; its readers take a file
 * without its final newline for one not written yet (run-dir.ts). No `mv` per file: every
 * process a run needs is a fork the launcher's host pays for in a burst.
 * The wrapper runs as the server's user; the job may run as another (run-as.ts), in its
 * own working directory, and cannot touch what the wrapper writes.
 *
 * With a log cap, the job writes its two streams into FIFOs that the log copier (one
 * process for all runs: log-copier-main.ts) already holds open for reading; the copier
 * stops writing a log at the cap and reads on, so the job is never blocked, signalled or
 * failed because of it. Once both streams are closed, the copier says so on a third FIFO,
 * which the wrapper waits on before it exits. No process per run besides the wrapper and
 * the job, capped or not: every process a run needs is a fork the host pays for in a burst.
 * The wrapper keeps a read end of each stream's FIFO, and never reads it: should the
 * copier die, the job blocks on a full pipe until a new copier takes over, rather than
 * being killed by SIGPIPE.
 *
 * FIFOs rather than a pipeline: POSIX sh has no pipefail and a pipeline's status is its
 * last member's, so keeping the job's exact status would take an extra shell per run to
 * wait for it. With FIFOs the wrapper stays the job's parent, as without a cap.
 *
 * A run ends when the wrapper exits: after the job has exited AND its output has reached
 * the logs, i.e. when every process holding the job's stdout/stderr (children it left
 * running, too) has closed them. The job's status is in `exit` before that.
 *
 * Comment lines are stripped before the script is passed to sh.
 */
import { JOB_ENV_FILE, LOGS_DONE_PIPE, STDERR_PIPE, STDOUT_PIPE } from './run-dir.js';

/** Exit status of the wrapper when it could not set up the run (the job never ran). */
export const WRAPPER_SETUP_FAILED = 125;

const SOURCE = `
# Arguments: how the job's output reaches its logs ("direct": the wrapper's stdout and
# stderr are the log files; "copier": through the FIFOs in the run dir, see above), the
# job's working directory ("." for the run dir), how many cgroups the run has and their
# cgroup.procs files (cgroups.ts); then the job's argv (for a job that runs as another
# user, setpriv's first: see run-as.ts).
logs=$1 job_dir=$2 cgroups=$3
shift 3
# No globbing of the unquoted expansion below (a command name may hold a "*").
set -f
# HUP, INT or TERM for the process group end the job but not the wrapper, which still has
# to record the status. A trap, not '': exec resets caught signals to the default for the
# job, but ignored ones would stay ignored. One that comes before the job is started (a
# kill right after the launch) is remembered, and the job is not started at all.
stop=
trap 'stop=129' HUP
trap 'stop=130' INT
trap 'stop=143' TERM

# Field 22 of /proc/$$/stat: drop "pid (comm) ", then field 22 is word 20.
st=
_st() { shift 19; st=$1; }
if [ -r /proc/$$/stat ] && read -r s < /proc/$$/stat; then _st \${s##*) }; fi
printf '%s %s\\n' "$$" "$st" > pid || { echo "moroccron: cannot write the pid file in $PWD" >&2; exit ${WRAPPER_SETUP_FAILED}; }

record() { printf '%s\\n' "$1" > exit; }

# Into the run's cgroups before anything else is started: the job and whatever it starts
# are inside from their first instruction.
while [ "$cgroups" -gt 0 ]; do
  printf '%s\\n' "$$" > "$1" || { echo "moroccron: cannot put the run into its cgroup ($1)" >&2; record ${WRAPPER_SETUP_FAILED}; exit ${WRAPPER_SETUP_FAILED}; }
  shift
  cgroups=$((cgroups - 1))
done

# Killed before the job began: record the signal's status as sh would have for the job.
stopped() { if [ -n "$stop" ]; then record "$stop"; exit "$stop"; fi; }

# The job itself. In a subshell that execs, so a program named like a shell builtin is still
# looked up in PATH. It enters its working directory as root, before it switches user.
job() {
  # A signal that came after the last check, while this subshell was being started: the
  # wrapper's trap took it (bash runs a pending trap before the next command), and the job
  # would never see it. The subshell has the wrapper's variables as they were: stop here.
  if [ -n "$stop" ]; then exit "$stop"; fi
  # The environment of a job that runs as another user, on fd 3 for its shell to read once it
  # is that user (run-as.ts): open now, from the run dir, which that user cannot open.
  if [ -e ${JOB_ENV_FILE} ]; then exec 3< ${JOB_ENV_FILE} || exit ${WRAPPER_SETUP_FAILED}; fi
  # "./": a CDPATH in the job's environment must not send it elsewhere.
  if [ "$job_dir" != . ]; then cd "./$job_dir" || exit ${WRAPPER_SETUP_FAILED}; fi
  exec "$@"
}

if [ "$logs" = direct ]; then
  stopped
  (job "$@")
  c=$?
  record "$c"
else
  # The copier holds the read ends, so the write ends open at once; then a read end of the
  # wrapper's own (see above), and the FIFO on which the copier says it is done (read-write:
  # Linux opens that without waiting for a writer).
  exec 7> ${STDOUT_PIPE} 8> ${STDERR_PIPE}
  exec 5< ${STDOUT_PIPE} 6< ${STDERR_PIPE} 9<> ${LOGS_DONE_PIPE}
  stopped
  (job "$@") >&7 2>&8 5<&- 6<&- 7>&- 8>&- 9<&-
  c=$?
  exec 7>&- 8>&-
  # The status goes to disk first (the server may die any time), then the logs are finished.
  record "$c"
  # A trapped signal may cut the read short: read again.
  until read -r _ <&9; do :; done
fi
exit "$c"
`;

/** The script as sh gets it: without comment lines and blank lines. */
export const WRAPPER_SCRIPT = SOURCE.split('\n')
  .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
  .join('\n');

export interface WrapperArguments {
  /** Through the log copier (a cap), or straight into the log files (none). */
  logs: 'copier' | 'direct';
  /** The job's working directory, relative to the run dir ("." for the run dir itself). */
  jobDir: string;
  /** The `cgroup.procs` files of the run's cgroups, which the wrapper joins first. */
  cgroupProcs: readonly string[];
  /** The job's program and arguments. */
  argv: readonly string[];
}

/** The wrapper's positional parameters ($0 is "moroccron"), in the order the script reads them. */
export function wrapperParameters(args: WrapperArguments): string[] {
  return ['moroccron', args.logs, args.jobDir, String(args.cgroupProcs.length), ...args.cgroupProcs, ...args.argv];
}
