/** Finding the log copier of a data dir (src/backends/local/log-copier-main.ts), which outlives its server by design. */
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

/** The log copier processes working in `dir`'s runs, or in a data dir anywhere below `dir` (by their cwd), with their process groups. */
export function logCopiers(dir: string): { pid: number; pgid: number }[] {
  let root: string;
  try {
    root = realpathSync(dir);
  } catch {
    return [];
  }
  const found: { pid: number; pgid: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('log-copier-main')) continue;
      const cwd = readlinkSync(`/proc/${entry}/cwd`).replace(/ \(deleted\)$/, '');
      if (cwd !== join(root, 'runs') && !cwd.startsWith(`${root}/`)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.push({ pid: Number(entry), pgid: Number(fields[2]) });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** Stop the log copiers working below `dir`, as a test's cleanup does before it removes it. */
export function killLogCopiers(dir: string): void {
  for (const copier of logCopiers(dir)) {
    try {
      process.kill(copier.pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}

/** Stop every process that names a path below `dir` on its command line (a mkfifo a launcher left running). */
export function killProcessesNaming(dir: string): number {
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`${dir}/`)) continue;
      process.kill(Number(entry), 'SIGKILL');
      killed++;
    } catch {
      // Gone meanwhile.
    }
  }
  return killed;
}
