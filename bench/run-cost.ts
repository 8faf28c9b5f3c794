/**
 * What one local run costs this machine in CPU, and who pays: a real `moroccron serve` runs
 * N jobs every second (`echo x`) for --seconds: capped logs, uncapped, and capped without
 * isolation (`--isolation none`: no cgroups per run); the server's
 * and the launcher's CPU come from /proc/<pid>/stat, the whole machine's from /proc/stat, and
 * what is left is the run's own programs (the wrapper and the job's sh) and the kernel's work
 * for them, cgroups included. The log copier, one process for all capped runs, has a column
 * of its own. From it, the floor the cores put under a burst: N runs
 * due at one instant cannot all have started before N × (CPU per run) / cores has passed.
 * Prints JSON (a table on stderr with --table); never asserts.
 *   node --import tsx bench/run-cost.ts [--jobs 100] [--seconds 20] [--table]
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { sleep, startServerProcess, tempDir } from '../test/helpers/server-process.js';
import { findChild } from './load/proc-usage.js';
import { putJobs } from './load/put-jobs.js';
import { shutDown } from './load/server-lifecycle.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '20' },
    table: { type: 'boolean', default: false },
  },
});
const jobCount = Number(values.jobs);
const seconds = Number(values.seconds);
const cores = availableParallelism();
/** Clock ticks per second of /proc's CPU times (USER_HZ): 100 on Linux. */
const TICK_MS = 10;

/** user + system ticks of one process. */
function processTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Busy ticks of the whole machine: all but idle and iowait. */
function machineTicks(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return user! + nice! + system! + irq! + softirq! + steal!;
}

async function measure(logCap: 'default' | 'none', isolation: 'default' | 'none' = 'default') {
  const dir = tempDir('moroccron-bench-');
  const server = await startServerProcess(dir.path, [...(logCap === 'none' ? ['--max-log-size', '0'] : []), ...(isolation === 'none' ? ['--isolation', 'none'] : [])]);
  try {
    const jobs = Array.from({ length: jobCount }, (_, i) => ({ name: `c${i}`, schedule: '* * * * * *', command: 'echo x', concurrency: 'allow', resources: { cpus: 0.001, mem: 1 }, history: { keep: 10 } }));
    await putJobs(server.url, jobs);
    await sleep(3_000);
    const serverPid = server.child.pid!;
    const launcherPid = await findChild(serverPid, 'launcher-main');
    if (launcherPid === null) throw new Error('the launcher process was not found');
    const copierPid = logCap === 'none' ? null : await findChild(launcherPid, 'log-copier-main');
    const copierTicks = (): number => (copierPid === null ? 0 : processTicks(copierPid));
    const before = { server: processTicks(serverPid), launcher: processTicks(launcherPid), copier: copierTicks(), machine: machineTicks() };
    await sleep(seconds * 1000);
    const after = { server: processTicks(serverPid), launcher: processTicks(launcherPid), copier: copierTicks(), machine: machineTicks() };
    const runs = jobCount * seconds;
    const perRun = (ticks: number): number => Math.round(((ticks * TICK_MS) / runs) * 100) / 100;
    const server_ = perRun(after.server - before.server);
    const launcher = perRun(after.launcher - before.launcher);
    const copier = perRun(after.copier - before.copier);
    const machine = perRun(after.machine - before.machine);
    const programs = Math.round((machine - server_ - launcher - copier) * 100) / 100;
    return {
      logCap,
      isolation,
      runsPerSecond: jobCount,
      cpuMsPerRun: { machine, server: server_, launcher, logCopier: copier, programsAndKernel: programs },
      /** The busy cores' share the runs take at this rate. */
      machineBusy: Math.round(((after.machine - before.machine) * TICK_MS) / (seconds * 1000 * cores) * 1000) / 1000,
      /** N runs due at one instant: the least time before the last has started, if every core did nothing else. */
      burstFloorMs: { all: Math.round((jobCount * machine) / cores), programsOnly: Math.round((jobCount * programs) / cores) },
      /** Runs per second this machine could carry at most, at this cost per run. */
      ceilingRunsPerSecond: Math.round((cores * 1000) / machine),
    };
  } finally {
    await shutDown(server);
    dir.remove();
  }
}

const rows = [await measure('default'), await measure('none'), await measure('default', 'none')];
console.log(JSON.stringify({ benchmark: 'run-cost', node: process.version, cores, when: new Date().toISOString(), jobs: jobCount, seconds, rows }, null, 2));
if (values.table) {
  console.error('\n| logs, isolation | runs/s | CPU ms per run: all | server | launcher | log copier | programs + kernel | burst of N: floor (all / programs only) | ceiling runs/s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const c = r.cpuMsPerRun;
    console.error(`| ${r.logCap === 'default' ? 'capped' : 'uncapped'}, ${r.isolation === 'default' ? 'cgroups where the host has them (default)' : 'no isolation'} | ${r.runsPerSecond} | ${c.machine} | ${c.server} | ${c.launcher} | ${c.logCopier} | ${c.programsAndKernel} | ${r.burstFloorMs.all} / ${r.burstFloorMs.programsOnly} ms | ${r.ceilingRunsPerSecond} |`);
  }
}
