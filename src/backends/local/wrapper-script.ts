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
 * The wrapper and the log copiers run as the server's user; the job may run as another
 * (run-as.ts), in its own working directory, and cannot touch what they write.
 *
 * With a log cap, each of the job's two streams goes through a FIFO to one `tee` that
 * stops writing the log at the cap and reads on into /dev/null (see `copy` below): the job
 * is never blocked, signalled or failed because of the cap. That is 2 processes per run
 * on top of the wrapper and the job (plus a short-lived `mkfifo`, unless the launcher put the
 * FIFOs in place from its pool: fifo-pool.ts); without a cap there are
 * none, and the job writes straight to the log files.
 *
 * FIFOs rather than a pipeline: POSIX sh has no pipefail and a pipeline's status is its
 * last member's, so keeping the job's exact status would take an extra shell per run to
 * wait for it. With FIFOs the wrapper stays the job's parent, as without a cap.
 * tee under RLIMIT_FSIZE rather than `head -c` then `cat >/dev/null`: the latter needs a
 * shell per stream to run the two in turn, and one more process to tell whether anything
 * came after the cap; tee copies, stops at the cap and drains in one process, and its exit
 * status says whether it cut. The limit is tee's alone: the job never runs under it.
 *
 * A run ends when the wrapper exits: after the job has exited AND its output has reached
 * the logs, i.e. when every process holding the job's stdout/stderr (children it left
 * running, too) has closed them. The job's status is in `exit` before that.
 *
 * Comment lines are stripped before the script is passed to sh.
 */
import { STDERR_PIPE, STDOUT_PIPE } from './run-dir.js';

/** Exit status of the wrapper when it could not set up the run (the job never ran). */
export const WRAPPER_SETUP_FAILED = 125;

const SOURCE = `
# Arguments: mkfifo and tee (absolute paths), the log cap in 512-byte blocks (0: no
# cap), the marker line for a log cut at the cap, the stdout and stderr log paths, the
# job's working directory ("." for the run dir); then the job's argv (for a job that runs
# as another user, setpriv's first: see run-as.ts).
mkfifo=$1 tee=$2 blocks=$3 marker=$4 out_log=$5 err_log=$6 job_dir=$7
shift 7
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

# Killed before the job began: record the signal's status as sh would have for the job.
stopped() { if [ -n "$stop" ]; then record "$stop"; exit "$stop"; fi; }

# A capped stream's copier: tee appends to the log under RLIMIT_FSIZE = the cap, so the
# write that would pass it fails (EFBIG; SIGXFSZ is ignored). --output-error=warn makes tee
# drop the log then and read on, writing to /dev/null only: the job's writes keep
# succeeding. tee then exits 1 at EOF. The copier ignores HUP, INT and TERM, so a job that
# prints while it shuts down after a TERM still gets that into its log; KILL ends it too.
copy() {
  trap '' HUP INT TERM XFSZ
  ulimit -f "$blocks"
  exec "$tee" --output-error=warn -a "$1" > /dev/null 2>&1
}

# The job itself. In a subshell that execs, so a program named like a shell builtin is still
# looked up in PATH. It enters its working directory as root, before it switches user.
job() {
  # A signal that came after the last check, while this subshell was being started: the
  # wrapper's trap took it (bash runs a pending trap before the next command), and the job
  # would never see it. The subshell has the wrapper's variables as they were: stop here.
  if [ -n "$stop" ]; then exit "$stop"; fi
  # "./": a CDPATH in the job's environment must not send it elsewhere.
  if [ "$job_dir" != . ]; then cd "./$job_dir" || exit ${WRAPPER_SETUP_FAILED}; fi
  exec "$@"
}

# Wait for a copier. A trapped signal cuts "wait" short with a status > 128: wait again
# while it lives. Exit 1 means tee could not write everything: mark where the log stops.
settle() {
  while wait "$1"; s=$?; [ "$s" -gt 128 ] && kill -0 "$1" 2> /dev/null; do :; done
  [ "$s" != 1 ] || printf '\\n%s\\n' "$marker" >> "$2"
}

if [ "$blocks" = 0 ]; then
  stopped
  (job "$@")
  c=$?
  record "$c"
elif { [ -p ${STDOUT_PIPE} ] && [ -p ${STDERR_PIPE} ]; } || "$mkfifo" -m 600 ${STDOUT_PIPE} ${STDERR_PIPE}; then
  # Linux opens a FIFO read-write without blocking (POSIX leaves that open). Holding both
  # ends for a moment lets the read-only and write-only opens after it go through at once,
  # here and in order: nothing blocks, nothing races.
  exec 3<> ${STDOUT_PIPE} 4<> ${STDERR_PIPE}
  exec 5< ${STDOUT_PIPE} 6< ${STDERR_PIPE} 7> ${STDOUT_PIPE} 8> ${STDERR_PIPE} 3>&- 4>&-
  # Read ends (5, 6) to the copiers, write ends (7, 8) to the job, and no copy anywhere
  # else: a copier sees EOF once the job and whatever it left running stopped writing, and
  # should a copier die, the job gets EPIPE rather than hang on a pipe nobody drains.
  copy "$out_log" <&5 5<&- 6<&- 7>&- 8>&- &
  out_copier=$!
  copy "$err_log" <&6 5<&- 6<&- 7>&- 8>&- &
  err_copier=$!
  exec 5<&- 6<&-
  stopped
  (job "$@") >&7 2>&8 7>&- 8>&-
  c=$?
  exec 7>&- 8>&-
  # The status goes to disk first (the server may die any time), then the logs are finished.
  record "$c"
  settle "$out_copier" "$out_log"
  settle "$err_copier" "$err_log"
else
  stopped
  echo "moroccron: cannot create the log pipes in $PWD" >&2
  c=${WRAPPER_SETUP_FAILED}
  record "$c"
fi
exit "$c"
`;

/** The script as sh gets it: without comment lines and blank lines. */
export const WRAPPER_SCRIPT = SOURCE.split('\n')
  .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
  .join('\n');

export interface WrapperArguments {
  mkfifo: string;
  tee: string;
  /** The log cap in 512-byte blocks; 0: no cap. */
  logCapBlocks: number;
  marker: string;
  stdoutPath: string;
  stderrPath: string;
  /** The job's working directory, relative to the run dir ("." for the run dir itself). */
  jobDir: string;
  /** The job's program and arguments. */
  argv: readonly string[];
}

/** The wrapper's positional parameters ($0 is "moroccron"), in the order the script reads them. */
export function wrapperParameters(args: WrapperArguments): string[] {
  return [
    'moroccron',
    args.mkfifo,
    args.tee,
    String(args.logCapBlocks),
    args.marker,
    args.stdoutPath,
    args.stderrPath,
    args.jobDir,
    ...args.argv,
  ];
}
