/**
 * Issue 12, target 1: N jobs (default 10,000) due in the same second on the embedded
 * default (a real `moroccron serve`: SQLite store, local backend), command `true`, as a new
 * user would write them (default resources, concurrency and history). While they run, one
 * client reads /healthz and another a job, back to back, and /proc is sampled for the
 * server's CPU, RSS and unreaped children. The runs are read from the server's SQLite file.
 * Prints JSON (and a table with --table, the issue's targets beside the figures); never asserts.
 * --max-log-size: the server's log cap (`serve --max-log-size`; 0: none, so no log copier).
 * --cpu-prof-dir: the serve process writes a V8 CPU profile there (bench/cpu-profile-top.ts).
 *   node --import tsx bench/burst.ts [--jobs 10000] [--timeout-s 120] [--lead-s 20] [--job-cpus 0.001] [--max-log-size 0] [--cpu-prof-dir DIR] [--table]
 */
import { availableParallelism, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sleep, startServerProcess, tempDir } from '../test/helpers/server-process.js';
import { startLatencyProbe } from './load/latency-probe.js';
import { startProcessSampler } from './load/process-sampler.js';
import { putJobs } from './load/put-jobs.js';
import { duplicateOccurrences, openRunLedger, runsPerSecond } from './load/run-ledger.js';
import { shutDown } from './load/server-lifecycle.js';
import { cell, spread } from './load/stats.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    'timeout-s': { type: 'string', default: '120' },
    'lead-s': { type: 'string', default: '20' },
    'job-cpus': { type: 'string' },
    'max-log-size': { type: 'string' },
    'cpu-prof-dir': { type: 'string' },
    table: { type: 'boolean', default: false },
  },
});
const jobCount = Number(values.jobs);
const timeoutMs = Number(values['timeout-s']) * 1000;
const leadMs = Number(values['lead-s']) * 1000;
const jobCpus = values['job-cpus'] === undefined ? undefined : Number(values['job-cpus']);
for (const [flag, n] of [['--jobs', jobCount], ['--timeout-s', timeoutMs], ['--lead-s', leadMs], ['--job-cpus', jobCpus ?? 1]] as const) {
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number`);
}

const TARGETS = { claimP99Ms: 100, claimMaxMs: 250, apiReadP99Ms: 50, allFinishedS: 45 };

/** A 6-field cron expression that matches `at` (a whole second, UTC) once a day. */
const dailyAt = (at: Date): string => `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;

const jobNames = Array.from({ length: jobCount }, (_, i) => `burst-${String(i).padStart(5, '0')}`);
const jobSpec = (name: string, schedule?: string) => ({
  name,
  command: 'true',
  timezone: 'UTC',
  ...(schedule ? { schedule } : {}),
  ...(jobCpus ? { resources: { cpus: jobCpus, mem: 1 } } : {}),
});

const dir = tempDir('moroccron-burst-');
// As --flag=value: the launcher drops profiling flags from what it inherits, and their values with them.
const nodeArgs = values['cpu-prof-dir'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${resolve(values['cpu-prof-dir'])}`];
const server = await startServerProcess(dir.path, values['max-log-size'] === undefined ? [] : ['--max-log-size', values['max-log-size']], { nodeArgs });
try {
  // First put the jobs without a schedule to learn how long putting them takes; then put
  // them again with one chosen so the burst comes `lead` after they are all in.
  let began = Date.now();
  await putJobs(server.url, jobNames.map((name) => jobSpec(name)));
  const createMs = Date.now() - began;
  const dueAt = Math.ceil((Date.now() + createMs * 1.5 + leadMs) / 1000) * 1000;
  began = Date.now();
  await putJobs(server.url, jobNames.map((name) => jobSpec(name, dailyAt(new Date(dueAt)))));
  const scheduleMs = Date.now() - began;
  const actualLeadMs = dueAt - Date.now();
  if (actualLeadMs < 3000) throw new Error(`putting the schedules took ${scheduleMs} ms and left ${actualLeadMs} ms before the burst: raise --lead-s`);

  const ledger = openRunLedger(dir.path);
  await sleep(dueAt - 2000 - Date.now());
  const healthz = startLatencyProbe(server.url, '/healthz');
  const jobRead = startLatencyProbe(server.url, `/api/v1/jobs/${jobNames[Math.floor(jobCount / 2)]}`);
  const sampler = startProcessSampler(server.child.pid!, { origin: dueAt });

  // claimedAt is when the tick decided, not when the claim was durable: so also watch the
  // store for when the claims show up in it (every 50 ms until all have).
  const claimsInStoreMs: { half: number | null; p99: number | null; all: number | null } = { half: null, p99: null, all: null };
  for (;;) {
    const counts = ledger.counts(dueAt, dueAt + 1000);
    const now = Date.now();
    if (now >= dueAt) {
      if (claimsInStoreMs.half === null && counts.claimed >= jobCount / 2) claimsInStoreMs.half = now - dueAt;
      if (claimsInStoreMs.p99 === null && counts.claimed >= jobCount * 0.99) claimsInStoreMs.p99 = now - dueAt;
      if (claimsInStoreMs.all === null && counts.claimed >= jobCount) claimsInStoreMs.all = now - dueAt;
    }
    if (counts.finished >= jobCount || now >= dueAt + timeoutMs) break;
    await sleep(claimsInStoreMs.all === null ? 50 : 500);
  }
  const [healthzReport, jobReadReport, processes] = await Promise.all([healthz.stop(), jobRead.stop(), sampler.stop()]);
  const runs = ledger.runs(dueAt, dueAt + 1000);
  ledger.close();

  const finishes = runs.filter((r) => r.finishedAt !== null).map((r) => r.finishedAt!);
  const complete = finishes.length >= jobCount;
  const byStatus: Record<string, number> = {};
  for (const r of runs) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const perSecondRuns = new Map(runsPerSecond(runs, dueAt).map((row) => [row.second, row]));
  const timeline = processes.perSecond.map((p) => ({ ...(perSecondRuns.get(p.second) ?? { second: p.second, claimed: 0, started: 0, finished: 0 }), ...p }));

  const result = {
    benchmark: 'burst',
    node: process.version,
    when: new Date().toISOString(),
    machine: { cpus: availableParallelism(), memMiB: Math.round(totalmem() / 2 ** 20) },
    jobs: jobCount,
    jobResources: jobCpus ? { cpus: jobCpus, mem: 1 } : 'default (0.1 cpus, 128 MiB)',
    logCap: values['max-log-size'] ?? 'default',
    dueAt: new Date(dueAt).toISOString(),
    putJobsSeconds: createMs / 1000,
    putSchedulesSeconds: scheduleMs / 1000,
    leadSeconds: Math.round(actualLeadMs / 100) / 10,
    timeoutSeconds: timeoutMs / 1000,
    complete,
    runs: {
      found: runs.length,
      started: runs.filter((r) => r.startedAt !== null).length,
      finished: finishes.length,
      succeeded: byStatus.succeeded ?? 0,
      byStatus,
      duplicates: duplicateOccurrences(runs),
      finishedWithin45s: finishes.filter((f) => f - dueAt <= TARGETS.allFinishedS * 1000).length,
    },
    claimSkewMs: spread(runs.map((r) => r.claimedAt - r.scheduledAt)),
    /** After the due time, when the store first held half, 99% and all of the claims (polled every 50 ms). */
    claimsInStoreMs,
    startSkewMs: spread(runs.filter((r) => r.startedAt !== null).map((r) => r.startedAt! - r.scheduledAt)),
    lastFinishSeconds: complete ? (Math.max(...finishes) - dueAt) / 1000 : null,
    healthz: healthzReport,
    apiRead: jobReadReport,
    server: {
      maxZombies: processes.maxZombies,
      maxDescendants: processes.maxDescendants,
      cpuPercent: processes.cpuPercent,
      userPercent: processes.userPercent,
      systemPercent: processes.systemPercent,
      treeCpuPercent: processes.treeCpuPercent,
      peakRssMiB: processes.peakRssMiB,
    },
    timeline,
  };
  console.log(JSON.stringify(result, null, 2));

  if (values.table) {
    const r = result;
    const silence = `longest silence ${r.healthz.longestSilenceMs} ms, ${r.healthz.timeouts} timeouts, ${r.healthz.failures + r.healthz.errorStatuses} errors of ${r.healthz.requests}`;
    const finished = complete ? `${r.lastFinishSeconds} s` : `not within ${r.timeoutSeconds} s: ${r.runs.finished} of ${jobCount} finished (${r.runs.finishedWithin45s} within 45 s)`;
    console.error(`\nBurst: ${jobCount} jobs due at the same second, \`true\`, ${typeof r.jobResources === 'string' ? r.jobResources : `${jobCpus} cpus each`}; ${r.machine.cpus} cores, ${r.when}\n`);
    console.error('| measure | target | measured |\n|---|---|---|');
    console.error(`| claim skew p50 / p99 / max | p99 ≤ ${TARGETS.claimP99Ms} ms, max ≤ ${TARGETS.claimMaxMs} ms | ${cell(r.claimSkewMs.p50, ' ms')} / ${cell(r.claimSkewMs.p99, ' ms')} / ${cell(r.claimSkewMs.max, ' ms')} (${r.claimSkewMs.count} claimed) |`);
    console.error(`| claims in the store: half / 99% / all (polled every 50 ms) | | ${cell(r.claimsInStoreMs.half, ' ms')} / ${cell(r.claimsInStoreMs.p99, ' ms')} / ${cell(r.claimsInStoreMs.all, ' ms')} |`);
    console.error(`| start skew p50 / p99 / max | | ${cell(r.startSkewMs.p50, ' ms')} / ${cell(r.startSkewMs.p99, ' ms')} / ${cell(r.startSkewMs.max, ' ms')} (${r.startSkewMs.count} started) |`);
    console.error(`| all runs finished | ≤ ${TARGETS.allFinishedS} s after due | ${finished} |`);
    console.error(`| API read (GET /api/v1/jobs/{name}) p50 / p99 / max | p99 ≤ ${TARGETS.apiReadP99Ms} ms | ${cell(r.apiRead.latencyMs.p50, ' ms')} / ${cell(r.apiRead.latencyMs.p99, ' ms')} / ${cell(r.apiRead.latencyMs.max, ' ms')}, ${r.apiRead.timeouts} timeouts (5 s) of ${r.apiRead.requests} |`);
    console.error(`| /healthz p50 / p99 / max | always answering | ${cell(r.healthz.latencyMs.p50, ' ms')} / ${cell(r.healthz.latencyMs.p99, ' ms')} / ${cell(r.healthz.latencyMs.max, ' ms')}; ${silence} |`);
    console.error(`| zombies (unreaped children of the server) | no pile-up | max ${r.server.maxZombies} |`);
    console.error(`| duplicates per (job, time) | 0 | ${r.runs.duplicates} |`);
    console.error(
      `| server CPU (user + system); with all under it / peak RSS | | ${cell(r.server.cpuPercent, '%')} (${cell(r.server.userPercent, '%')} + ${cell(r.server.systemPercent, '%')}); ${cell(r.server.treeCpuPercent, '%')} / ${cell(r.server.peakRssMiB, ' MiB')} |`,
    );
  }
} finally {
  await shutDown(server);
  dir.remove();
}
