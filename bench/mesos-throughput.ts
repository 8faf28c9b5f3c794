/**
 * Issue 12, target 3: the Mesos path at scale. `moroccron mesos-sim` (its own process) runs 10
 * agents of 64 cpus with simulated tasks of 1 s (no processes: STARTING, RUNNING, FINISHED by
 * the clock, with real updates and acknowledgements); one real `moroccron serve --backend mesos`
 * runs R jobs due every second (`* * * * * *`, cpus 0.01, mem 1), for each R of --rates.
 *
 * Measured over --seconds, after a warm-up:
 * - TASK_RUNNING updates acknowledged per second (the sim's own counter, sampled each second:
 *   the ACKNOWLEDGE comes once the scheduler has stored the run as running);
 * - due → running latency per run (started_at − scheduled_at, from the server's SQLite file);
 * - tasks per ACCEPT (the sim's counters); the CPU of both processes;
 * - whether it sustained: the backlog (due minus acknowledged RUNNING) did not grow.
 * Prints JSON (and a markdown table on stderr with --table); never asserts.
 *   node --import tsx bench/mesos-throughput.ts [--rates 500,1000,2000,3000] [--seconds 30] [--quick]
 *     [--agents 10] [--cpus 64] [--task-duration 1s] [--allocation-interval 1s] [--cpu-prof-dir DIR]
 *     [--serve-node-args "ARGS"] [--sim-only] [--table]
 * --quick: 10 s at 500 and 1000 (unless --rates or --seconds say otherwise). --cpu-prof-dir: the
 * serve process writes a V8 CPU profile there (node --cpu-prof), one per rate. --serve-node-args:
 * more node flags for the serve process (space-separated; e.g. an --import of an experiment). --sim-only: no
 * moroccron; a minimal framework in this process (bench/mesos-sim-driver.ts) drives the sim, to
 * show what the sim itself sustains on this machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BIN, eventually, sleep, startServerProcess, tempDir } from '../test/helpers/server-process.js';
import { startProcessSampler, type ProcessReport } from './load/process-sampler.js';
import { driveSim } from './mesos-sim-driver.js';
import { putJobs } from './load/put-jobs.js';
import { openRunLedger, type LedgerRun } from './load/run-ledger.js';
import { shutDown } from './load/server-lifecycle.js';
import { cell, spread, type Spread } from './load/stats.js';

const { values } = parseArgs({
  options: {
    rates: { type: 'string' },
    seconds: { type: 'string' },
    quick: { type: 'boolean', default: false },
    agents: { type: 'string', default: '10' },
    cpus: { type: 'string', default: '64' },
    'task-duration': { type: 'string', default: '1s' },
    'allocation-interval': { type: 'string', default: '1s' },
    'warmup-s': { type: 'string', default: '5' },
    'cpu-prof-dir': { type: 'string' },
    'serve-node-args': { type: 'string', default: '' },
    'sim-only': { type: 'boolean', default: false },
    table: { type: 'boolean', default: false },
  },
});
const rates = (values.rates ?? (values.quick ? '500,1000' : '500,1000,2000,3000')).split(',').map(Number);
const seconds = Number(values.seconds ?? (values.quick ? '10' : '30'));
const warmupMs = Number(values['warmup-s']) * 1000;
const agents = Number(values.agents);
const cpus = Number(values.cpus);
for (const [flag, n] of [['--rates', Math.min(...rates)], ['--seconds', seconds], ['--agents', agents], ['--cpus', cpus], ['--warmup-s', warmupMs + 1]] as const) {
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be positive`);
}
const profileDir = values['cpu-prof-dir'] === undefined ? undefined : resolve(values['cpu-prof-dir']);
if (profileDir) mkdirSync(profileDir, { recursive: true });

const TARGET = { tasksPerSecond: 2000, sustainedSeconds: 30, nomadPlacementsPerSecond: 1500, marathonLaunchesPerSecond: 35 };
/** Backlog growth under this share of what came due counts as sustained (samples fall mid-second). */
const SUSTAINED_SLACK = 0.02;

interface SimProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** `moroccron mesos-sim` as its own process, so it does not share an event loop with what it measures. */
async function startSim(): Promise<SimProcess> {
  const args = [BIN, 'mesos-sim', '--port', '0', '--agents', String(agents), '--cpus', String(cpus), '--mem', String(cpus * 4096)];
  args.push('--task-mode', 'simulated', '--task-duration', values['task-duration'], '--allocation-interval', values['allocation-interval']);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // It logs every ACCEPT: keep only the tail, for errors.
  let tail = '';
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`mesos-sim exited at start: ${tail}`);
    return /mesos-sim master on (http:\/\/\S+)/.exec(tail)?.[1];
  }, 15_000, 'mesos-sim to start');
  return {
    url,
    child,
    output: () => tail,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function simMetrics(url: string): Promise<Record<string, number>> {
  const res = await fetch(`${url}/metrics/snapshot`);
  return (await res.json()) as Record<string, number>;
}

/** The sum of every framework's metric that ends with `suffix`. */
const perFramework = (metrics: Record<string, number>, suffix: string): number =>
  Object.entries(metrics)
    .filter(([name]) => name.startsWith('master/frameworks/') && name.endsWith(suffix))
    .reduce((sum, [, v]) => sum + v, 0);

interface Sample {
  at: number;
  ackedRunning: number;
  tasksLaunched: number;
  accepts: number;
  offersSent: number;
  declines: number;
}

const sampleOf = (at: number, m: Record<string, number>): Sample => ({
  at,
  ackedRunning: m['sim/acknowledged/task_running'] ?? 0,
  tasksLaunched: m['sim/tasks_launched'] ?? 0,
  accepts: perFramework(m, '/calls/accept'),
  offersSent: perFramework(m, '/offers/sent'),
  declines: perFramework(m, '/calls/decline'),
});

const latencies = (runs: readonly LedgerRun[]): number[] => runs.filter((r) => r.startedAt !== null).map((r) => r.startedAt! - r.scheduledAt);

interface Row {
  rate: number;
  seconds: number;
  due: number;
  /** TASK_RUNNING acknowledged per second over the window (sim counter). */
  ackedRunningPerSecond: number;
  /** The same, second by second. */
  ackedRunningBySecond: number[];
  /** Runs due in the window that started (stored as running) before the end of the drain. */
  startedOfDue: number;
  /** started_at − scheduled_at of the runs due in the window, ms. */
  dueToRunningMs: Spread;
  firstHalfDueToRunningMs: Spread;
  secondHalfDueToRunningMs: Spread;
  /** Due minus acknowledged RUNNING over the window; near 0 when the scheduler keeps up. */
  backlogGrowth: number;
  sustained: boolean;
  tasksPerAccept: number | null;
  accepts: number;
  offersSent: number;
  declines: number;
  serveCpuPercent: number | null;
  simCpuPercent: number | null;
  servePeakRssMiB: number | null;
  simPeakRssMiB: number | null;
  error?: string;
}

async function measure(rate: number): Promise<Row> {
  const dir = tempDir('moroccron-mesos-throughput-');
  const sim = await startSim();
  const nodeArgs = values['serve-node-args'].split(' ').filter((a) => a !== '');
  if (profileDir) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `serve-${rate}-${Date.now()}.cpuprofile`);
  const server = await startServerProcess(dir.path, ['--backend', 'mesos', '--mesos-master', sim.url], { nodeArgs });
  let serveReport: ProcessReport | undefined;
  let simReport: ProcessReport | undefined;
  try {
    await eventually(async () => ((await simMetrics(sim.url))['master/frameworks_connected'] === 1 ? true : undefined), 20_000, 'moroccron to subscribe');
    const jobs = Array.from({ length: rate }, (_, i) => ({
      name: `tp-${String(i).padStart(5, '0')}`,
      schedule: '* * * * * *',
      timezone: 'UTC',
      command: 'true',
      concurrency: 'allow',
      resources: { cpus: 0.01, mem: 1 },
    }));
    await putJobs(server.url, jobs);
    // Whole seconds: every sample is taken at the same phase of the per-second burst.
    const start = Math.ceil((Date.now() + warmupMs) / 1000) * 1000;
    const end = start + seconds * 1000;
    await sleep(start - 1500 - Date.now());
    const serveSampler = startProcessSampler(server.child.pid!, { origin: start, intervalMs: 500 });
    const simSampler = startProcessSampler(sim.child.pid!, { origin: start, intervalMs: 500 });
    const samples: Sample[] = [];
    for (let at = start; at <= end; at += 1000) {
      await sleep(at - Date.now());
      samples.push(sampleOf(Date.now(), await simMetrics(sim.url)));
    }
    [serveReport, simReport] = await Promise.all([serveSampler.stop(), simSampler.stop()]);
    // Let what came due in the last second start, then stop the server and read its store.
    await sleep(5000);
    await shutDown(server);
    const ledger = openRunLedger(dir.path);
    const runs = ledger.runs(start, end).filter((r) => r.trigger === 'schedule');
    ledger.close();
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const elapsedS = (last.at - first.at) / 1000;
    const acked = last.ackedRunning - first.ackedRunning;
    const accepts = last.accepts - first.accepts;
    const mid = start + (seconds / 2) * 1000;
    const due = rate * seconds;
    const backlogGrowth = due - acked;
    return {
      rate,
      seconds,
      due,
      ackedRunningPerSecond: Math.round(acked / elapsedS),
      ackedRunningBySecond: samples.slice(1).map((s, i) => s.ackedRunning - samples[i]!.ackedRunning),
      startedOfDue: runs.filter((r) => r.startedAt !== null).length,
      dueToRunningMs: spread(latencies(runs)),
      firstHalfDueToRunningMs: spread(latencies(runs.filter((r) => r.scheduledAt < mid))),
      secondHalfDueToRunningMs: spread(latencies(runs.filter((r) => r.scheduledAt >= mid))),
      backlogGrowth,
      sustained: backlogGrowth <= due * SUSTAINED_SLACK && runs.length === due,
      tasksPerAccept: accepts > 0 ? Math.round(((last.tasksLaunched - first.tasksLaunched) / accepts) * 10) / 10 : null,
      accepts,
      offersSent: last.offersSent - first.offersSent,
      declines: last.declines - first.declines,
      serveCpuPercent: serveReport.cpuPercent,
      simCpuPercent: simReport.cpuPercent,
      servePeakRssMiB: serveReport.peakRssMiB,
      simPeakRssMiB: simReport.peakRssMiB,
    };
  } catch (err) {
    return { rate, seconds, error: `${(err as Error).message}\nserve: ${server.output().slice(-2000)}\nsim: ${sim.output().slice(-2000)}` } as Row;
  } finally {
    if (server.child.exitCode === null) await shutDown(server);
    await sim.stop();
    dir.remove();
  }
}

interface SimOnlyRow {
  rate: number;
  seconds: number;
  /** Whole seconds after the first: TASK_RUNNING acknowledged each second. */
  ackedRunningBySecond: number[];
  ackedRunningPerSecondMedian: number | null;
  dueToRunningMs: Spread;
  tasksPerAccept: number | null;
  simCpuPercent: number | null;
  simPeakRssMiB: number | null;
}

async function measureSimAlone(rate: number): Promise<SimOnlyRow> {
  const sim = await startSim();
  try {
    const sampler = startProcessSampler(sim.child.pid!, { intervalMs: 500 });
    const driven = await driveSim(sim.url, rate, seconds);
    const report = await sampler.stop();
    const steady = driven.ackedRunningBySecond.slice(1, seconds);
    return {
      rate,
      seconds,
      ackedRunningBySecond: driven.ackedRunningBySecond,
      ackedRunningPerSecondMedian: spread(steady).p50,
      dueToRunningMs: spread(driven.dueToRunningMs),
      tasksPerAccept: driven.accepts > 0 ? Math.round((driven.tasksLaunched / driven.accepts) * 10) / 10 : null,
      simCpuPercent: report.cpuPercent,
      simPeakRssMiB: report.peakRssMiB,
    };
  } finally {
    await sim.stop();
  }
}

if (values['sim-only']) {
  const rows: SimOnlyRow[] = [];
  for (const rate of rates) rows.push(await measureSimAlone(rate));
  const load = loadavg().map((l) => Math.round(l * 100) / 100);
  console.log(JSON.stringify({ benchmark: 'mesos-throughput', mode: 'sim-only', when: new Date().toISOString(), node: process.version, machine: { cpus: availableParallelism(), loadAverageAtEnd: load }, rows }, null, 2));
  if (values.table) {
    console.error(`\nThe Mesos sim alone (${agents} agents × ${cpus} cpus, simulated tasks of ${values['task-duration']}, driven by a minimal framework in the bench process; load average ${load.join(' ')})\n`);
    console.error('| due/s | acked RUNNING/s (median second) | due→running p50 | p99 | tasks/ACCEPT | sim CPU |\n|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) console.error(`| ${r.rate} | ${cell(r.ackedRunningPerSecondMedian)} | ${cell(r.dueToRunningMs.p50, ' ms')} | ${cell(r.dueToRunningMs.p99, ' ms')} | ${cell(r.tasksPerAccept)} | ${cell(r.simCpuPercent, '%')} |`);
  }
  process.exit(0);
}

const results = {
  benchmark: 'mesos-throughput',
  when: new Date().toISOString(),
  node: process.version,
  machine: { cpus: availableParallelism(), loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100) },
  config: { serveNodeArgs: values['serve-node-args'], agents, cpusPerAgent: cpus, taskDuration: values['task-duration'], allocationInterval: values['allocation-interval'], seconds, warmupMs, jobResources: { cpus: 0.01, mem: 1 } },
  target: TARGET,
  rows: [] as Row[],
};
for (const rate of rates) results.rows.push(await measure(rate));
console.log(JSON.stringify(results, null, 2));
if (values.table) {
  console.error(`\nMesos throughput (${agents} agents × ${cpus} cpus, simulated tasks of ${values['task-duration']}, ${seconds} s per rate, load average at start ${results.machine.loadAverageAtStart.join(' ')})`);
  console.error(`Target: ≥ ${TARGET.tasksPerSecond} tasks/s due → TASK_RUNNING acknowledged, sustained ${TARGET.sustainedSeconds} s (Nomad ~${TARGET.nomadPlacementsPerSecond} placements/s, Marathon ~${TARGET.marathonLaunchesPerSecond}/s)\n`);
  console.error('| due/s | acked RUNNING/s | sustained | backlog growth | due→running p50 | p99 | max | tasks/ACCEPT | serve CPU | sim CPU | target |');
  console.error('|---:|---:|:---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results.rows) {
    if (r.error) {
      console.error(`| ${r.rate} | error: ${r.error.split('\n')[0]} |`);
      continue;
    }
    const d = r.dueToRunningMs;
    console.error(
      `| ${r.rate} | ${r.ackedRunningPerSecond} | ${r.sustained ? 'yes' : 'no'} | ${r.backlogGrowth} | ${cell(d.p50, ' ms')} | ${cell(d.p99, ' ms')} | ${cell(d.max, ' ms')} | ${cell(r.tasksPerAccept)} | ${cell(r.serveCpuPercent, '%')} | ${cell(r.simCpuPercent, '%')} | ≥ ${TARGET.tasksPerSecond}/s |`,
    );
  }
}
