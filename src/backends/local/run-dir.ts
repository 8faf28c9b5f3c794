/**
 * The per-run working directory `<dataDir>/runs/<runId>/`: the job's cwd, its `stdout`
 * and `stderr`, and the wrapper's bookkeeping files:
 *
 * - `pid`    "<pid> <start time>\n", written by the wrapper before the job starts; the start
 *            time is field 22 of /proc/<pid>/stat (empty without /proc);
 * - `exit`   "<status>\n", the job's exit status as sh reports it (128+N: signal N),
 *            written by the wrapper after the job ended;
 *            both in one write(2) each; until the final newline is there, a file counts as
 *            not written (it is being written, or the host died while it was);
 * - `killed` written by the backend right before it SIGKILLs the process group, so a run
 *            whose exit went unseen (server died meanwhile) is reported as killed, not lost;
 * - `.stdout.pipe`, `.stderr.pipe`  the FIFOs the job writes to when logs are capped, which
 *            the log copier reads (run-log-copy.ts); `.logs.pipe` the one on which the copier
 *            tells the wrapper the logs are complete; dot names keep them out of the job's
 *            `*` globs;
 * - `.job.env`  the environment of a job that runs as another user (0600, removed when the
 *            run ends): read by the job's shell once it is that user (run-as.ts);
 * - `container`  the name of a container run's container (container-command.ts),
 *            `.container.env` its environment (0600, removed when the run ends), and
 *            `.hooks/` the OCI hook that puts it into the run's cgroups (cgroup-join-hook.ts);
 * - `work/`  the working directory of a job that runs as another user, owned by that user
 *            (run-as.ts); the run dir itself stays the server's.
 *
 * `runs/` and every run dir are 0700: a job that runs as another user reaches no run dir,
 * its own included, except through its working directory.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface RunPaths {
  dir: string;
  stdout: string;
  stderr: string;
  pid: string;
  exit: string;
  killed: string;
  container: string;
  containerEnv: string;
  jobEnv: string;
  hooks: string;
}

export interface PidInfo {
  pid: number;
  startTime: string | null;
}

export const STDOUT_PIPE = '.stdout.pipe';
export const STDERR_PIPE = '.stderr.pipe';
export const LOGS_DONE_PIPE = '.logs.pipe';

export const CONTAINER_FILE = 'container';
export const HOOKS_DIR = '.hooks';
export const CONTAINER_ENV_FILE = '.container.env';
export const JOB_ENV_FILE = '.job.env';

const BOOKKEEPING = ['pid', 'pid.tmp', 'exit', 'exit.tmp', 'killed', 'killed.tmp', CONTAINER_FILE, CONTAINER_ENV_FILE, JOB_ENV_FILE, HOOKS_DIR, STDOUT_PIPE, STDERR_PIPE, LOGS_DONE_PIPE];

/** Run ids become directory names: refuse anything that could leave `runs/`. */
export function isSafeRunId(runId: string): boolean {
  return runId.length > 0 && runId.length <= 200 && runId !== '.' && runId !== '..' && !/[/\\\0]/.test(runId);
}

export class RunDirs {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(resolve(dataDir), 'runs');
  }

  /** Create the runs root (idempotent), closed to other users. */
  init(): void {
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    chmodSync(this.root, 0o700);
  }

  paths(runId: string): RunPaths {
    if (!isSafeRunId(runId)) throw new Error(`invalid run id ${JSON.stringify(runId)}`);
    const dir = join(this.root, runId);
    return {
      dir,
      stdout: join(dir, 'stdout'),
      stderr: join(dir, 'stderr'),
      pid: join(dir, 'pid'),
      exit: join(dir, 'exit'),
      killed: join(dir, 'killed'),
      container: join(dir, CONTAINER_FILE),
      containerEnv: join(dir, CONTAINER_ENV_FILE),
      jobEnv: join(dir, JOB_ENV_FILE),
      hooks: join(dir, HOOKS_DIR),
    };
  }

  exists(runId: string): boolean {
    return isSafeRunId(runId) && existsSync(this.paths(runId).dir);
  }

  /** Create the run dir for a launch, clearing bookkeeping left by an earlier attempt. */
  prepare(runId: string): RunPaths {
    const paths = this.paths(runId);
    // A new dir has nothing to clear: 8 fewer system calls per run in a burst.
    const created = mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    if (created === undefined) for (const name of BOOKKEEPING) rmSync(join(paths.dir, name), { force: true, recursive: name === HOOKS_DIR });
    return paths;
  }

  /** The working directory `name` of a run whose job runs as `owner`: created, and given to it. */
  prepareWorkDir(runId: string, name: string, owner: { uid: number; gid: number }): string {
    const dir = join(this.paths(runId).dir, name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
    return dir;
  }

  async remove(runId: string): Promise<void> {
    if (!isSafeRunId(runId)) return;
    await rm(this.paths(runId).dir, { recursive: true, force: true });
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function readPidFile(path: string): PidInfo | null {
  const text = readText(path);
  if (text === null || !text.endsWith('\n')) return null;
  const [pidText, startTime] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 1) return null;
  return { pid, startTime: startTime !== undefined && /^\d+$/.test(startTime) ? startTime : null };
}

/** A container run's container name, or null for a run without an image. */
export function readContainerFile(path: string): string | null {
  const text = readText(path);
  return text === null || !text.endsWith('\n') ? null : text.trim() || null;
}

export function readExitFile(path: string): number | null {
  const text = readText(path);
  if (text === null || !text.endsWith('\n')) return null;
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  return Number(trimmed);
}

export function fileExists(path: string): boolean {
  return existsSync(path);
}

export function writeFileAtomic(path: string, content: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}
