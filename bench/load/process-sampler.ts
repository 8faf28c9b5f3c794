/**
 * Samples the server process from /proc every few hundred milliseconds: its CPU time and
 * RSS, and the processes below it (walking every process's parent), counting the zombies
 * among them: exited children nobody has reaped yet. Reads are async so the probes sharing
 * this process's event loop are not held up by the walk.
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  /** In clock ticks. */
  userTicks: number;
  systemTicks: number;
  /** CPU of its children that have exited and been reaped, in clock ticks. */
  reapedChildrenTicks: number;
  rssPages: number;
}

interface Sample {
  at: number;
  zombies: number;
  descendants: number;
  userTicks: number;
  systemTicks: number;
  /** The server and every process under it, with their reaped children. */
  treeTicks: number;
  rssBytes: number;
}

export interface ProcessSecond {
  /** Seconds since the origin (negative before it). */
  second: number;
  maxZombies: number;
  maxDescendants: number;
  cpuPercent: number | null;
  rssMiB: number;
}

export interface ProcessReport {
  samples: number;
  maxZombies: number;
  maxDescendants: number;
  /** Server CPU over the whole sampling window, in % of one core (200 = both cores of this box). */
  cpuPercent: number | null;
  userPercent: number | null;
  systemPercent: number | null;
  /** The server with every process under it (launcher helpers, wrappers, jobs), in % of one core. */
  treeCpuPercent: number | null;
  peakRssMiB: number | null;
  perSecond: ProcessSecond[];
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const PAGE_BYTES = Number(execFileSync('getconf', ['PAGESIZE']).toString().trim()) || 4096;
const MIB = 1024 * 1024;

function parseStat(text: string): ProcStat | null {
  // The command name is in parentheses and may itself hold spaces or parentheses.
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const fields = text.slice(close + 2).split(' '); // fields[0] is field 3 of proc(5)
  return {
    pid,
    state: fields[0]!,
    ppid: Number(fields[1]),
    userTicks: Number(fields[11]),
    systemTicks: Number(fields[12]),
    reapedChildrenTicks: Number(fields[13]) + Number(fields[14]),
    rssPages: Number(fields[21]),
  };
}

async function readAllStats(): Promise<ProcStat[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const stats = await Promise.all(
    pids.map(async (pid) => {
      try {
        return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return null; // gone between readdir and read
      }
    }),
  );
  return stats.filter((s): s is ProcStat => s !== null);
}

async function sample(rootPid: number): Promise<Sample | null> {
  const stats = await readAllStats();
  const root = stats.find((s) => s.pid === rootPid);
  if (!root) return null;
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) {
    const siblings = children.get(s.ppid);
    if (siblings) siblings.push(s);
    else children.set(s.ppid, [s]);
  }
  let zombies = 0;
  let descendants = 0;
  let treeTicks = root.userTicks + root.systemTicks + root.reapedChildrenTicks;
  const pending = [rootPid];
  while (pending.length > 0) {
    for (const child of children.get(pending.pop()!) ?? []) {
      descendants++;
      if (child.state === 'Z') zombies++;
      treeTicks += child.userTicks + child.systemTicks + child.reapedChildrenTicks;
      pending.push(child.pid);
    }
  }
  return { at: Date.now(), zombies, descendants, userTicks: root.userTicks, systemTicks: root.systemTicks, treeTicks, rssBytes: root.rssPages * PAGE_BYTES };
}

const percentOf = (ticks: number, ms: number): number | null => (ms > 0 ? Math.round((ticks / CLOCK_TICKS / (ms / 1000)) * 1000) / 10 : null);

function perSecond(samples: readonly Sample[], origin: number): ProcessSecond[] {
  const seconds: ProcessSecond[] = [];
  let previous: Sample | undefined;
  let bucket: Sample[] = [];
  const flush = () => {
    const last = bucket.at(-1);
    if (!last) return;
    seconds.push({
      second: Math.floor((last.at - origin) / 1000),
      maxZombies: Math.max(...bucket.map((s) => s.zombies)),
      maxDescendants: Math.max(...bucket.map((s) => s.descendants)),
      cpuPercent: previous ? percentOf(last.userTicks + last.systemTicks - previous.userTicks - previous.systemTicks, last.at - previous.at) : null,
      rssMiB: Math.round(Math.max(...bucket.map((s) => s.rssBytes)) / MIB),
    });
    previous = last;
    bucket = [];
  };
  for (const s of samples) {
    if (bucket.length > 0 && Math.floor((s.at - origin) / 1000) !== Math.floor((bucket[0]!.at - origin) / 1000)) flush();
    bucket.push(s);
  }
  flush();
  return seconds;
}

function report(samples: readonly Sample[], origin: number): ProcessReport {
  const first = samples[0];
  const last = samples.at(-1);
  const ms = first && last ? last.at - first.at : 0;
  return {
    samples: samples.length,
    maxZombies: Math.max(0, ...samples.map((s) => s.zombies)),
    maxDescendants: Math.max(0, ...samples.map((s) => s.descendants)),
    cpuPercent: first && last ? percentOf(last.userTicks + last.systemTicks - first.userTicks - first.systemTicks, ms) : null,
    userPercent: first && last ? percentOf(last.userTicks - first.userTicks, ms) : null,
    systemPercent: first && last ? percentOf(last.systemTicks - first.systemTicks, ms) : null,
    treeCpuPercent: first && last ? percentOf(last.treeTicks - first.treeTicks, ms) : null,
    peakRssMiB: samples.length > 0 ? Math.round(Math.max(...samples.map((s) => s.rssBytes)) / MIB) : null,
    perSecond: perSecond(samples, origin),
  };
}

/** Sample `rootPid` and its descendants until stop(); per-second rows count from `origin` (epoch ms). */
export function startProcessSampler(rootPid: number, options: { intervalMs?: number; origin?: number } = {}): { stop(): Promise<ProcessReport> } {
  const intervalMs = options.intervalMs ?? 200;
  const origin = options.origin ?? Date.now();
  const samples: Sample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      const s = await sample(rootPid);
      if (s) samples.push(s);
      await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - started))));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return report(samples, origin);
    },
  };
}
