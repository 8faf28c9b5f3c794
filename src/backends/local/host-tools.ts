/**
 * The programs the local backend runs besides the wrapper and the job (`mkfifo`, for the
 * FIFOs of capped logs: fifo-pool.ts), by absolute path: the launcher runs with the jobs'
 * environment, and a PATH there must not change them.
 */
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface HostTools {
  mkfifo: string;
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
  return { mkfifo: findExecutable('mkfifo', '/usr/bin/mkfifo', path) };
}
