/**
 * The programs the wrapper runs besides the job (`mkfifo`, `tee`), by absolute path:
 * the wrapper runs with the job's environment, and a job's PATH must not change them.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface HostTools {
  mkfifo: string;
  tee: string;
}

/** Absolute path of `name` in `path` (the server's PATH), else `fallback`. */
export function findExecutable(name: string, fallback: string, path = process.env.PATH ?? ''): string {
  for (const dir of path.split(delimiter)) {
    if (dir === '' || !dir.startsWith('/')) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return fallback;
}

export function findHostTools(path = process.env.PATH ?? ''): HostTools {
  return {
    mkfifo: findExecutable('mkfifo', '/usr/bin/mkfifo', path),
    tee: findExecutable('tee', '/usr/bin/tee', path),
  };
}

const teeChecked = new Map<string, string | null>();

/**
 * Why `tee` cannot cap logs, or null if it can. The cap relies on GNU tee's
 * `--output-error=warn` (coreutils 8.24+: keep reading after an output failed); a tee
 * without it would exit at once and leave the job writing into a pipe nobody reads.
 * Checked once per path.
 */
export function teeCannotCap(tee: string): string | null {
  let problem = teeChecked.get(tee);
  if (problem === undefined) {
    const probe = spawnSync(tee, ['--output-error=warn', '/dev/null'], { input: '', stdio: ['pipe', 'ignore', 'pipe'], timeout: 10_000 });
    problem =
      probe.status === 0
        ? null
        : `capping run logs needs GNU tee with --output-error (coreutils 8.24 or later); ${tee} ${probe.error !== undefined ? `cannot run: ${probe.error.message}` : `says: ${probe.stderr.toString().trim() || `exit status ${String(probe.status)}`}`}`;
    teeChecked.set(tee, problem);
  }
  return problem;
}
