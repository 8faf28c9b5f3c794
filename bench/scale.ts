/**
 * Issue 12, target 4: many jobs registered, few due. For each job count, a real
 * `moroccron serve` (SQLite, local backend) is given the jobs through the API and restarted;
 * measured: start to API answering and to /readyz (schedule armed), RSS and JS heap at rest,
 * pages of the job list (filtered, sorted, by cursor), the server's CPU while idle (what a
 * tick costs with that many jobs registered) and the claim lateness of the runs that came
 * due meanwhile. Beside it, in its own process, one croner timer per job with the same
 * schedules: what a Node user would write instead. Prints JSON (a table with --table); never asserts.
 *   node --import tsx bench/scale.ts [--jobs 1000,10000,100000] [--mix realistic|distinct] [--idle-s 30] [--no-croner] [--table]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { api, sleep, startServerProcess, tempDir, type ServerProcess } from '../test/helpers/server-process.js';
import { JOB_MIXES, jobNameOf, scheduleOf, timezoneOf, type JobMix } from './load/job-mix.js';
import { putJobs } from './load/put-jobs.js';
import { openRunLedger } from './load/run-ledger.js';
import { shutDown } from './load/server-lifecycle.js';
import { cell, median, spread, type Spread } from './load/stats.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000,10000,100000' },
    mix: { type: 'string', default: 'realistic' },
    'idle-s': { type: 'string', default: '30' },
    'no-croner': { type: 'boolean', default: false },
    table: { type: 'boolean', default: false },
  },
});
const counts = values.jobs.split(',').map(Number);
const mix = values.mix as JobMix;
const idleS = Number(values['idle-s']);
if (counts.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--jobs: comma-separated positive whole numbers');
if (!JOB_MIXES.includes(mix)) throw new Error(`--mix: one of ${JOB_MIXES.join(', ')}`);
if (!(idleS > 0)) throw new Error('--idle-s must be a positive number');

const TARGETS = { readyMs: 3000, rssMiB: 300, pageP99Ms: 50 };
const TICKS_PER_SECOND = 100;
const RESTARTS = 3;
const SAMPLES = 100;

const rssMiB = (pid: number): number => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);
const cpuTicks = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return Number(fields[11]) + Number(fields[12]);
};

async function heapUsedMiB(url: string): Promise<number | null> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^moroccron_process_nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
  return m ? Math.round(Number(m[1]) / 2 ** 20) : null;
}

/**
 * How long each of `times` GETs of the paths `pathAt(i)` take, in ms, after one untimed GET
 * (the first search of a job makes its search text once; that is not what every page costs).
 */
async function latencies(url: string, times: number, pathAt: (i: number) => Promise<string> | string): Promise<Spread> {
  await (await fetch(`${url}${await pathAt(times)}`)).arrayBuffer();
  const took: number[] = [];
  for (let i = 0; i < times; i++) {
    const path = await pathAt(i);
    const began = performance.now();
    const response = await fetch(`${url}${path}`);
    await response.arrayBuffer();
    took.push(performance.now() - began);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
  }
  const s = spread(took);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return { count: s.count, p50: round(s.p50), p99: round(s.p99), max: round(s.max) };
}

/** Each page of ?limit=50 after the one before, by following nextCursor (restarting at the end). */
function cursorWalk(url: string, query: string): () => Promise<string> {
  let cursor: string | null = null;
  return async () => {
    const path = `/api/v1/jobs?${query}${cursor ? `&cursor=${cursor}` : ''}`;
    // The cursor for the next call comes from this page; fetching it here is not timed.
    const body = (await api<{ nextCursor: string | null }>(`${url}${path}`)).body;
    cursor = body.nextCursor;
    return path;
  };
}

async function restart(dir: string): Promise<{ server: ServerProcess; answeringMs: number; readyMs: number }> {
  const began = Date.now();
  const server = await startServerProcess(dir);
  const answeringMs = Date.now() - began;
  for (;;) {
    const status = await fetch(`${server.url}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) break;
    await sleep(10);
  }
  return { server, answeringMs, readyMs: Date.now() - began };
}

interface Row {
  jobs: number;
  putJobsPerSecond: number;
  /** Medians over the restarts (each restart's figures in `restarts`). */
  answeringMs: number;
  readyMs: number;
  restarts: { answeringMs: number; readyMs: number }[];
  rssMiB: number;
  heapUsedMiB: number | null;
  pageMs: { first: Spread; following: Spread; filtered: Spread; byNextRun: Spread; oneJob: Spread };
  idle: { seconds: number; cpuPercent: number; runsClaimed: number; claimLateMs: Spread };
}

async function measure(jobCount: number): Promise<Row> {
  const dir = tempDir('moroccron-scale-');
  try {
    const jobs = Array.from({ length: jobCount }, (_, i) => ({
      name: jobNameOf(i),
      command: 'true',
      schedule: scheduleOf(i, mix),
      timezone: timezoneOf(i),
      labels: { team: `team-${i % 50}` },
      ...(i % 100 === 0 ? { paused: true } : {}),
    }));
    let server = await startServerProcess(dir.path);
    const putBegan = Date.now();
    await putJobs(server.url, jobs);
    const putJobsPerSecond = Math.round((jobCount * 1000) / (Date.now() - putBegan));
    await shutDown(server);

    // Several restarts, as one start on this shared machine can be slowed by anything else.
    const restarts: { answeringMs: number; readyMs: number }[] = [];
    for (let i = 1; i < RESTARTS; i++) {
      const again = await restart(dir.path);
      restarts.push({ answeringMs: again.answeringMs, readyMs: again.readyMs });
      await shutDown(again.server);
    }
    const started = await restart(dir.path);
    restarts.push({ answeringMs: started.answeringMs, readyMs: started.readyMs });
    server = started.server;
    await sleep(10_000);
    const rest = { rssMiB: rssMiB(server.child.pid!), heapUsedMiB: await heapUsedMiB(server.url) };

    const some = (i: number) => jobNameOf((i * 7919) % jobCount);
    const pageMs = {
      first: await latencies(server.url, SAMPLES, () => '/api/v1/jobs?limit=50'),
      following: await latencies(server.url, SAMPLES, cursorWalk(server.url, 'limit=50')),
      filtered: await latencies(server.url, SAMPLES, (i) => `/api/v1/jobs?limit=50&label=team=team-${i % 50}&state=active&q=scale-0`),
      byNextRun: await latencies(server.url, SAMPLES, () => '/api/v1/jobs?limit=50&sort=next'),
      oneJob: await latencies(server.url, SAMPLES, (i) => `/api/v1/jobs/${some(i)}`),
    };

    await sleep(2000);
    const ledger = openRunLedger(dir.path);
    const [ticksBefore, idleBegan] = [cpuTicks(server.child.pid!), Date.now()];
    await sleep(idleS * 1000);
    const [ticks, idleEnded] = [cpuTicks(server.child.pid!) - ticksBefore, Date.now()];
    const claimed = ledger.runs(idleBegan, idleEnded).filter((r) => r.trigger === 'schedule');
    ledger.close();
    await shutDown(server);
    return {
      jobs: jobCount,
      putJobsPerSecond,
      answeringMs: median(restarts.map((r) => r.answeringMs))!,
      readyMs: median(restarts.map((r) => r.readyMs))!,
      restarts,
      ...rest,
      pageMs,
      idle: {
        seconds: idleS,
        cpuPercent: Math.round((ticks / TICKS_PER_SECOND / ((idleEnded - idleBegan) / 1000)) * 1000) / 10,
        runsClaimed: claimed.length,
        claimLateMs: spread(claimed.map((r) => r.claimedAt - r.scheduledAt)),
      },
    };
  } finally {
    dir.remove();
  }
}

interface CronerRow {
  jobs: number;
  outcome: string;
  setupMs?: number;
  rssMiB?: number;
  heapUsedMiB?: number;
  fired?: number;
  lateMs?: Spread;
}

/** One croner timer per job, in a process of its own (with node's default heap limit). */
async function croner(jobCount: number): Promise<CronerRow> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load/croner-timers.ts', String(jobCount), mix, String(idleS)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let [out, err] = ['', ''];
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) return { jobs: jobCount, outcome: /heap out of memory/i.test(err) ? 'out of memory' : `exit ${code}: ${err.trim().split('\n').at(-1)}` };
  const r = JSON.parse(out) as { setupMs: number; rssMiB: number; heapUsedMiB: number; lateMs: number[] };
  return { jobs: jobCount, outcome: 'ran', setupMs: r.setupMs, rssMiB: r.rssMiB, heapUsedMiB: r.heapUsedMiB, fired: r.lateMs.length, lateMs: spread(r.lateMs) };
}

const rows: Row[] = [];
const cronerRows: CronerRow[] = [];
for (const n of counts) {
  rows.push(await measure(n));
  if (!values['no-croner']) cronerRows.push(await croner(n));
}
console.log(JSON.stringify({ benchmark: 'scale', node: process.version, when: new Date().toISOString(), mix, targets: TARGETS, rows, croner: cronerRows }, null, 2));

if (values.table) {
  const ms = (s: Spread) => `${cell(s.p50)} / ${cell(s.p99)}`;
  console.error(`\nmix: ${mix}; targets: ready ≤ ${TARGETS.readyMs} ms, RSS ≤ ${TARGETS.rssMiB} MiB, page p99 ≤ ${TARGETS.pageP99Ms} ms`);
  console.error('\n| jobs | put jobs/s | API answering | ready | RSS at rest | heap used | first page p50 / p99 | next pages | filtered | by next run | one job | idle CPU | runs claimed | claim late p50 / p99 |');
  console.error('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.error(
      `| ${r.jobs} | ${r.putJobsPerSecond} | ${r.answeringMs} ms | ${r.readyMs} ms | ${r.rssMiB} MiB | ${cell(r.heapUsedMiB, ' MiB')} | ${ms(r.pageMs.first)} ms | ${ms(r.pageMs.following)} ms | ${ms(r.pageMs.filtered)} ms | ${ms(r.pageMs.byNextRun)} ms | ${ms(r.pageMs.oneJob)} ms | ${r.idle.cpuPercent}% | ${r.idle.runsClaimed} | ${ms(r.idle.claimLateMs)} ms |`,
    );
  }
  if (cronerRows.length > 0) {
    console.error('\n| croner, one timer per job | outcome | setup | RSS | heap used | fired | late p50 / p99 |\n|---:|---|---:|---:|---:|---:|---:|');
    for (const c of cronerRows) {
      console.error(`| ${c.jobs} | ${c.outcome} | ${cell(c.setupMs, ' ms')} | ${cell(c.rssMiB, ' MiB')} | ${cell(c.heapUsedMiB, ' MiB')} | ${cell(c.fired)} | ${c.lateMs ? `${ms(c.lateMs)} ms` : '—'} |`);
    }
  }
}
