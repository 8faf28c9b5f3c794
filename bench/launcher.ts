/**
 * Issue 12, target 2: the local launcher, each run a real process under the crash-safe
 * wrapper, on a real `moroccron serve` (SQLite, local backend; a fresh server per load).
 *   steady      K jobs (default 100) firing every second for --seconds: start skew, API latency
 *   throughput  R jobs every second for 15 s, for each R in --rates: runs started and finished
 *               per second, the backlog, API p99, zombies; the highest rate sustained
 *   physical    (--physical) how many `/bin/sh -c true` a small Node process spawns and reaps
 *               per second on this machine, and one holding a 300 MiB heap
 * Jobs ask for 0.001 cpus so that the host's capacity never holds a run back.
 * Prints JSON (and a table with --table, the targets beside the figures); never asserts.
 *   node --import tsx bench/launcher.ts [--jobs 100] [--seconds 30] [--rates 100,200,300,400,600] [--parts steady,throughput] [--physical] [--table]
 */
import { availableParallelism, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { spawnLimit } from './load/spawn-limit.js';
import { cell } from './load/stats.js';
import { JOB_RESOURCES, steadyLoad, type SteadyLoadResult } from './load/steady-load.js';

const PARTS = ['steady', 'throughput', 'physical'] as const;
type Part = (typeof PARTS)[number];

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '30' },
    rates: { type: 'string', default: '100,200,300,400,600' },
    'rate-seconds': { type: 'string', default: '15' },
    parts: { type: 'string', default: 'steady,throughput' },
    physical: { type: 'boolean', default: false },
    table: { type: 'boolean', default: false },
  },
});
const parts = new Set(values.parts.split(',').filter(Boolean));
if (values.physical) parts.add('physical');
const unknownParts = [...parts].filter((p) => !PARTS.includes(p as Part));
if (unknownParts.length > 0) throw new Error(`--parts: unknown ${unknownParts.join(', ')}; known: ${PARTS.join(', ')}`);
const steadyJobs = Number(values.jobs);
const steadySeconds = Number(values.seconds);
const rates = values.rates.split(',').map(Number);
const rateSeconds = Number(values['rate-seconds']);
for (const [flag, ns] of [['--jobs', [steadyJobs]], ['--seconds', [steadySeconds]], ['--rates', rates], ['--rate-seconds', [rateSeconds]]] as const) {
  if (ns.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`${flag} takes positive whole numbers`);
}

const TARGETS = { sustainedPerSecond: 300, startSkewP99Ms: 50, atRate: 100 };
const WARMUP_SECONDS = 3;

const steady = parts.has('steady') ? await steadyLoad(steadyJobs, steadySeconds, Math.min(WARMUP_SECONDS, steadySeconds - 1)) : null;
const throughput: SteadyLoadResult[] = [];
if (parts.has('throughput')) for (const rate of rates) throughput.push(await steadyLoad(rate, rateSeconds, Math.min(WARMUP_SECONDS, rateSeconds - 1)));
const physical = parts.has('physical') ? [await spawnLimit(0), await spawnLimit(300)] : null;
const highestSustained = Math.max(0, ...throughput.filter((r) => r.sustained).map((r) => r.rate));

const result = {
  benchmark: 'launcher',
  node: process.version,
  when: new Date().toISOString(),
  machine: { cpus: availableParallelism(), memMiB: Math.round(totalmem() / 2 ** 20) },
  jobResources: JOB_RESOURCES,
  steady,
  throughput: parts.has('throughput') ? { seconds: rateSeconds, warmupSeconds: Math.min(WARMUP_SECONDS, rateSeconds - 1), highestSustainedRate: highestSustained, rows: throughput } : null,
  physical,
};
console.log(JSON.stringify(result, null, 2));

if (values.table) {
  console.error(`\nLocal launcher, \`true\` under the wrapper; ${result.machine.cpus} cores, ${result.when}\n`);
  if (steady) {
    const s = steady;
    console.error(`Steady: ${s.rate} jobs every second for ${s.seconds} s (${s.due} due)\n`);
    console.error('| measure | target | measured |\n|---|---|---|');
    console.error(
      `| start skew p50 / p99 / max | p99 ≤ ${TARGETS.startSkewP99Ms} ms at ${TARGETS.atRate} runs/s | ${cell(s.startSkewMs.p50, ' ms')} / ${cell(s.startSkewMs.p99, ' ms')} / ${cell(s.startSkewMs.max, ' ms')} (${s.runs.started} of ${s.due} started) |`,
    );
    console.error(`| API read p50 / p99 / max | | ${cell(s.apiRead.latencyMs.p50, ' ms')} / ${cell(s.apiRead.latencyMs.p99, ' ms')} / ${cell(s.apiRead.latencyMs.max, ' ms')}, ${s.apiRead.timeouts} timeouts |`);
    console.error(`| /healthz p99 / longest silence | | ${cell(s.healthz.latencyMs.p99, ' ms')} / ${s.healthz.longestSilenceMs} ms |`);
    console.error(`| zombies max / server CPU (with all under it) / peak RSS | | ${s.server.maxZombies} / ${cell(s.server.cpuPercent, '%')} (${cell(s.server.treeCpuPercent, '%')}) / ${cell(s.server.peakRssMiB, ' MiB')} |`);
    console.error(`| duplicates | 0 | ${s.runs.duplicates} |\n`);
  }
  if (throughput.length > 0) {
    console.error(`Throughput: R jobs every second for ${rateSeconds} s each (medians after ${result.throughput!.warmupSeconds} s); target ≥ ${TARGETS.sustainedPerSecond} processes/s sustained\n`);
    console.error('| asked/s | started/s | finished/s | backlog at end (growth) | start skew p99 | API p99 (longest silence) | zombies max | server CPU (with all under it) | sustained |\n|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const r of throughput) {
      console.error(
        `| ${r.rate} | ${cell(r.startedPerSecond)} | ${cell(r.finishedPerSecond)} | ${r.backlogAtEnd} (${r.backlogGrowth >= 0 ? '+' : ''}${r.backlogGrowth}) | ${cell(r.startSkewMs.p99, ' ms')} | ${cell(r.apiRead.latencyMs.p99, ' ms')} (${r.apiRead.longestSilenceMs} ms) | ${r.server.maxZombies} | ${cell(r.server.cpuPercent, '%')} (${cell(r.server.treeCpuPercent, '%')}) | ${r.sustained ? 'yes' : 'no'} |`,
      );
    }
    console.error(`\nHighest rate sustained: ${highestSustained || 'none of those asked'}${highestSustained ? ' runs/s' : ''} (target ≥ ${TARGETS.sustainedPerSecond})`);
  }
  if (physical) {
    console.error('\nPhysical limit: `/bin/sh -c true` spawned and reaped by one Node process, 32 in flight, 2 s\n');
    console.error('| parent RSS | per second |\n|---:|---:|');
    for (const p of physical) console.error(`| ${p.rssMiB} MiB | ${p.perSecond} |`);
  }
}
