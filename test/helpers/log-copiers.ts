/** Finding the log copier of a data dir (src/backends/local/log-copier-main.ts), which outlives its server by design. */
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

/** The log copier processes working in `dataDir`'s runs (by their cwd), with their process groups. */
export function logCopiers(dataDir: string): { pid: number; pgid: number }[] {
  let runs = join(dataDir, 'runs');
  try {
    runs = realpathSync(runs);
  } catch {
    return [];
  }
  const found: { pid: number; pgid: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('log-copier-main')) continue;
      if (readlinkSync(`/proc/${entry}/cwd`) !== runs) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.push({ pid: Number(entry), pgid: Number(fields[2]) });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** Stop the data dir's log copier, as a test's cleanup does before it removes the dir. */
export function killLogCopiers(dataDir: string): void {
  for (const copier of logCopiers(dataDir)) {
    try {
      process.kill(copier.pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}
