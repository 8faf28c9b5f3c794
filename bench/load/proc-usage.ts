/**
 * One process's resident memory, open file descriptors and threads, read from /proc; and a
 * child found by its command line (the local backend's launcher, forked by the server).
 */
import { readdir, readFile } from 'node:fs/promises';

export interface ProcUsage {
  rssBytes: number;
  /** Of the RSS: memory of its own (heap, malloc), and pages of mapped files (code, libraries, SQLite's shared memory). */
  rssAnonBytes: number;
  rssFileBytes: number;
  /** Entries in /proc/<pid>/fd. */
  fds: number;
  threads: number;
}

const statusField = (status: string, field: string): number | null => {
  const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status);
  return m ? Number(m[1]) : null;
};

/** Null once the process is gone. */
export async function procUsage(pid: number): Promise<ProcUsage | null> {
  try {
    const [status, fds] = await Promise.all([readFile(`/proc/${pid}/status`, 'utf8'), readdir(`/proc/${pid}/fd`)]);
    const kib = (field: string): number => (statusField(status, field) ?? 0) * 1024;
    return { rssBytes: kib('VmRSS'), rssAnonBytes: kib('RssAnon'), rssFileBytes: kib('RssFile') + kib('RssShmem'), fds: fds.length, threads: statusField(status, 'Threads') ?? 0 };
  } catch {
    return null;
  }
}

/** The first child of `parentPid` whose command line contains `marker`, or null. */
export async function findChild(parentPid: number, marker: string): Promise<number | null> {
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parentPid) continue;
      const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.includes(marker)) return Number(name);
    } catch {
      // gone between readdir and read
    }
  }
  return null;
}
