/**
 * Issue 12, target 5: `GET /api/v1/jobs/{name}` at ≥ 8,000 requests/s with p99 ≤ 10 ms while
 * the scheduler dispatches 1,000 runs a minute. A real `moroccron serve` (SQLite, local
 * backend) holds `--jobs` jobs, `--runs-per-minute` of them firing once a minute each at
 * their own second (`S * * * * *`, `true`), so runs start all the time at an even ~17 a
 * second. Autocannon, in a second process, reads jobs round a list of `--read-names` names.
 * The runs dispatched in the measured window are read from the server's SQLite file.
 *
 * The load generator and the server share this machine's cores, so the same autocannon runs
 * against a hello-world server (plain Fastify, and bare node:http) answering the same JSON
 * body: the ceiling a Node server can reach here. Each round starts fresh servers; with
 * `--rounds N` the figures are given per round and as medians over the rounds.
 * Prints JSON (a markdown table on stderr with --table, the targets beside the figures); never asserts.
 *   node --import tsx bench/api-throughput.ts [--seconds 20] [--connections 16] [--pipelining 1] [--rounds 1]
 *     [--jobs 1000] [--runs-per-minute 1000] [--read-names 100] [--warmup-s 3] [--baselines fastify,node]
 *     [--auth none|tokens] [--serve-args "ARGS"] [--cpu-prof-dir DIR] [--table]
 * --auth tokens: the server requires API tokens (`--auth tokens`); one is made with
 * `moroccron token create` before it starts, and every request carries it.
 * --serve-args: more `moroccron serve` flags (space-separated), e.g. --serve-args="--rate-limit 1000000/1m" (the
 * bench's default is no rate limit, as one client asking 8,000 times a second would be
 * refused by the default 600/1m). --cpu-prof-dir: the serve process writes a V8 CPU profile
 * there (node --cpu-prof; given as --flag=value, so the launcher, which drops profiling flags
 * from what it inherits, drops their values too), one per round; bench/cpu-profile-top.ts summarises one.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCli } from '../test/helpers/cli-process.js';
import { sleep, startServerProcess, tempDir } from '../test/helpers/server-process.js';
import { startHelloServer, type HelloKind } from './load/hello-server.js';
import { runHttpLoad, type HttpLoadOptions, type HttpLoadResult } from './load/http-load.js';
import { startProcessSampler, type ProcessReport } from './load/process-sampler.js';
import { duplicateOccurrences, openRunLedger } from './load/run-ledger.js';
import { shutDown } from './load/server-lifecycle.js';
import { cell, median, spread, type Spread } from './load/stats.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '16' },
    pipelining: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '1' },
    jobs: { type: 'string', default: '1000' },
    'runs-per-minute': { type: 'string', default: '1000' },
    'read-names': { type: 'string', default: '100' },
    'warmup-s': { type: 'string', default: '3' },
    baselines: { type: 'string', default: 'fastify,node' },
    auth: { type: 'string', default: 'none' },
    'serve-args': { type: 'string', default: '' },
    'cpu-prof-dir': { type: 'string' },
    table: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const pipelining = Number(values.pipelining);
const rounds = Number(values.rounds);
const jobCount = Number(values.jobs);
const runsPerMinute = Number(values['runs-per-minute']);
const readNames = Number(values['read-names']);
const warmupSeconds = Number(values['warmup-s']);
for (const [flag, n] of [['--seconds', seconds], ['--connections', connections], ['--pipelining', pipelining], ['--rounds', rounds], ['--jobs', jobCount], ['--read-names', readNames]] as const) {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive whole number`);
}
for (const [flag, n] of [['--runs-per-minute', runsPerMinute], ['--warmup-s', warmupSeconds]] as const) {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a whole number ≥ 0`);
}
if (runsPerMinute > jobCount) throw new Error(`--runs-per-minute ${runsPerMinute} needs as many jobs; --jobs is ${jobCount}`);
if (readNames > jobCount) throw new Error(`--read-names ${readNames} is more than --jobs ${jobCount}`);
const baselines = values.baselines.split(',').filter((b) => b !== '');
for (const b of baselines) if (b !== 'fastify' && b !== 'node') throw new Error(`--baselines: ${b} is not fastify or node`);
if (values.auth !== 'none' && values.auth !== 'tokens') throw new Error(`--auth must be none or tokens, not ${values.auth}`);
const withTokens = values.auth === 'tokens';
const serveArgs = [...values['serve-args'].split(' ').filter((a) => a !== ''), ...(withTokens ? ['--auth', 'tokens'] : [])];
/** What the server runs with: startServerProcess turns the rate limit off unless told one. */
const serveFlags = serveArgs.includes('--rate-limit') ? serveArgs : ['--rate-limit', '0', ...serveArgs];
const profileDir = values['cpu-prof-dir'] === undefined ? undefined : resolve(values['cpu-prof-dir']);
if (profileDir) mkdirSync(profileDir, { recursive: true });

const TARGET = { requestsPerSecond: 8000, p99Ms: 10, runsPerMinute: 1000 };

const jobNames = Array.from({ length: jobCount }, (_, i) => `api-${String(i).padStart(5, '0')}`);
/** A job as people write them: a schedule, a command, some env (one of it a secret, shown as ***), a label. */
const jobSpec = (name: string, i: number) => ({
  name,
  description: 'api-throughput bench job',
  ...(i < runsPerMinute ? { schedule: `${i % 60} * * * * *` } : {}),
  timezone: 'UTC',
  command: 'true',
  env: { REPORT_DIR: '/srv/reports', DB_PASSWORD: 'not-a-real-password' },
  labels: { team: 'bench' },
});
/** Spread over the scheduled jobs (their live state changes as they run), then the rest. */
const readPaths = Array.from({ length: readNames }, (_, i) => `/api/v1/jobs/${jobNames[Math.floor((i * jobCount) / readNames)]}`);

interface Measured {
  load: HttpLoadResult;
  loadAverageAtStart: number[];
  server: Pick<ProcessReport, 'cpuPercent' | 'userPercent' | 'systemPercent' | 'treeCpuPercent' | 'peakRssMiB'>;
  generatorCpuPercent: number | null;
}

/** The jobs, 1,000 to a request, sent with `headers` (a token). */
async function postJobs(url: string, headers: Record<string, string>): Promise<void> {
  for (let i = 0; i < jobNames.length; i += 1000) {
    const body = JSON.stringify(jobNames.slice(i, i + 1000).map((name, j) => jobSpec(name, i + j)));
    const response = await fetch(`${url}/api/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await response.text();
    if (response.status !== 200 && response.status !== 201) throw new Error(`POST /api/v1/jobs: ${response.status} ${text.slice(0, 500)}`);
  }
}

/** Autocannon against `url` round the read paths; the server (`serverPid`) and the generator sampled over the measured window. */
async function measure(url: string, serverPid: number, headers: Record<string, string> = {}): Promise<Measured & { window: { from: number; to: number } }> {
  const loadAverageAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const options: HttpLoadOptions = { url, paths: readPaths, seconds, connections, pipelining, warmupSeconds, headers };
  let samplers: { server: ReturnType<typeof startProcessSampler>; generator: ReturnType<typeof startProcessSampler> } | undefined;
  let from = 0;
  const load = await runHttpLoad(options, (generatorPid) => {
    from = Date.now();
    samplers = { server: startProcessSampler(serverPid, { intervalMs: 500 }), generator: startProcessSampler(generatorPid, { intervalMs: 500 }) };
  });
  const to = Date.now();
  const [server, generator] = samplers ? await Promise.all([samplers.server.stop(), samplers.generator.stop()]) : [null, null];
  return {
    load,
    loadAverageAtStart,
    window: { from, to },
    server: {
      cpuPercent: server?.cpuPercent ?? null,
      userPercent: server?.userPercent ?? null,
      systemPercent: server?.systemPercent ?? null,
      treeCpuPercent: server?.treeCpuPercent ?? null,
      peakRssMiB: server?.peakRssMiB ?? null,
    },
    generatorCpuPercent: generator?.cpuPercent ?? null,
  };
}

interface MoroccronRound extends Measured {
  /** Runs due in the measured window and what became of them; per minute from those started. */
  dispatched: { due: number; claimed: number; started: number; succeeded: number; duplicates: number; startedPerMinute: number; startSkewMs: Spread };
  responseBytes: number;
}

async function measureMoroccron(round: number, bodyFile: string): Promise<MoroccronRound> {
  const dir = tempDir('moroccron-api-throughput-');
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=serve-round${round}-${Date.now()}.cpuprofile`] : [];
  const headers: Record<string, string> = withTokens ? { authorization: `Bearer ${await makeToken(dir.path)}` } : {};
  const server = await startServerProcess(dir.path, serveArgs, { nodeArgs });
  try {
    await postJobs(server.url, headers);
    const response = await fetch(`${server.url}${readPaths[0]}`, { headers });
    const sample = await response.text();
    if (response.status !== 200) throw new Error(`GET ${readPaths[0]}: ${response.status} ${sample}`);
    writeFileSync(bodyFile, sample);
    // Every scheduled job is armed by now; the measured window starts after the warm-up.
    const ledger = openRunLedger(dir.path);
    const measured = await measure(server.url, server.child.pid!, headers);
    // Runs due at the window's end get a moment to start before they are counted.
    await sleep(2000);
    const { from, to } = measured.window;
    const runs = ledger.runs(from, to);
    ledger.close();
    const due = Array.from({ length: runsPerMinute }, (_, i) => i % 60).reduce((n, second) => n + dueInWindow(second, from, to), 0);
    const started = runs.filter((r) => r.startedAt !== null);
    return {
      ...measured,
      dispatched: {
        due,
        claimed: runs.length,
        started: started.length,
        succeeded: runs.filter((r) => r.status === 'succeeded').length,
        duplicates: duplicateOccurrences(runs),
        startedPerMinute: Math.round((started.length * 60_000) / (to - from)),
        startSkewMs: spread(started.map((r) => r.startedAt! - r.scheduledAt)),
      },
      responseBytes: Buffer.byteLength(sample),
    };
  } finally {
    await shutDown(server);
    dir.remove();
  }
}

/** An admin token made in the data dir's store before the server starts (as `moroccron token create` does offline). */
async function makeToken(dataDir: string): Promise<string> {
  const made = await runCli(['token', 'create', '--role', 'admin', '--name', 'bench', '--data-dir', dataDir]);
  if (made.code !== 0) throw new Error(`token create: ${made.stderr}`);
  return made.stdout.trim();
}

/** How many times second-of-minute `second` (UTC) comes in [from, to). */
function dueInWindow(second: number, from: number, to: number): number {
  let n = 0;
  for (let t = Math.ceil(from / 1000) * 1000; t < to; t += 1000) if (new Date(t).getUTCSeconds() === second) n++;
  return n;
}

async function measureHello(kind: HelloKind, bodyFile: string): Promise<Measured> {
  const hello = await startHelloServer(kind, bodyFile);
  try {
    const { window: _window, ...measured } = await measure(hello.url, hello.pid);
    return measured;
  } finally {
    await hello.stop();
  }
}

const scratch = tempDir('moroccron-api-throughput-body-');
const bodyFile = join(scratch.path, 'job.json');
const results: { moroccron: MoroccronRound; hello: Partial<Record<HelloKind, Measured>> }[] = [];
try {
  for (let round = 1; round <= rounds; round++) {
    const moroccron = await measureMoroccron(round, bodyFile);
    const hello: Partial<Record<HelloKind, Measured>> = {};
    for (const kind of baselines as HelloKind[]) hello[kind] = await measureHello(kind, bodyFile);
    results.push({ moroccron, hello });
  }
} finally {
  scratch.remove();
}

/** Medians over the rounds of what the table shows. */
const summary = (rows: Measured[]) => ({
  requestsPerSecondMean: median(rows.map((r) => r.load.requestsPerSecondMean)),
  requestsPerSecondMedian: median(rows.map((r) => r.load.requestsPerSecondMedian)),
  latencyP50Ms: median(rows.map((r) => r.load.latencyMs.p50)),
  latencyP90Ms: median(rows.map((r) => r.load.latencyMs.p90)),
  latencyP99Ms: median(rows.map((r) => r.load.latencyMs.p99)),
  latencyMaxMs: median(rows.map((r) => r.load.latencyMs.max)),
  non2xx: rows.reduce((n, r) => n + r.load.non2xx, 0),
  errors: rows.reduce((n, r) => n + r.load.errors + r.load.timeouts, 0),
  serverCpuPercent: median(rows.map((r) => r.server.cpuPercent ?? NaN).filter((n) => !Number.isNaN(n))),
  generatorCpuPercent: median(rows.map((r) => r.generatorCpuPercent ?? NaN).filter((n) => !Number.isNaN(n))),
});
const moroccronRows = results.map((r) => r.moroccron);
const medians = {
  moroccron: {
    ...summary(moroccronRows),
    runsStartedPerMinute: median(moroccronRows.map((r) => r.dispatched.startedPerMinute)),
    treeCpuPercent: median(moroccronRows.map((r) => r.server.treeCpuPercent ?? NaN).filter((n) => !Number.isNaN(n))),
  },
  ...Object.fromEntries(baselines.map((kind) => [kind, summary(results.map((r) => r.hello[kind as HelloKind]!))])),
} as { moroccron: ReturnType<typeof summary> & { runsStartedPerMinute: number | null; treeCpuPercent: number | null } } & Partial<Record<HelloKind, ReturnType<typeof summary>>>;

const result = {
  benchmark: 'api-throughput',
  node: process.version,
  when: new Date().toISOString(),
  machine: { cpus: availableParallelism(), memMiB: Math.round(totalmem() / 2 ** 20) },
  settings: { seconds, connections, pipelining, rounds, warmupSeconds, jobs: jobCount, runsPerMinute, readNames, auth: values.auth, serveFlags, responseBytes: moroccronRows[0]?.responseBytes },
  target: TARGET,
  medians,
  rounds: results,
};
console.log(JSON.stringify(result, null, 2));

if (values.table) {
  const m = medians.moroccron;
  const columns: [string, ReturnType<typeof summary>][] = [['moroccron', m], ...baselines.map((kind) => [`${kind === 'node' ? 'node:http' : 'Fastify'} hello`, medians[kind as HelloKind]!] as [string, ReturnType<typeof summary>])];
  const row = (measure: string, target: string, pick: (s: ReturnType<typeof summary>) => string) => console.error(`| ${measure} | ${target} | ${columns.map(([, s]) => pick(s)).join(' | ')} |`);
  const loads = results.map((r) => r.moroccron.loadAverageAtStart[0]).join(', ');
  console.error(
    `\nAPI throughput: GET /api/v1/jobs/{name} round ${readNames} names, ${connections} connections, pipelining ${pipelining}, ${seconds} s after ${warmupSeconds} s warm-up; ` +
      `serve ${serveFlags.join(' ')}; ` +
      `${rounds} round(s), medians; ${result.machine.cpus} cores shared by server and generator; 1-min load at start ${loads}; ${result.when}\n`,
  );
  console.error(`| measure | target | ${columns.map(([name]) => name).join(' | ')} |\n|---|---|${columns.map(() => '---:|').join('')}`);
  row('requests/s (mean over the window)', `≥ ${TARGET.requestsPerSecond}`, (s) => cell(s.requestsPerSecondMean));
  row('requests/s (median second)', '', (s) => cell(s.requestsPerSecondMedian));
  row('latency p50 / p90 / p99 / max', `p99 ≤ ${TARGET.p99Ms} ms`, (s) => `${cell(s.latencyP50Ms)} / ${cell(s.latencyP90Ms)} / ${cell(s.latencyP99Ms)} / ${cell(s.latencyMaxMs, ' ms')}`);
  row('non-2xx / errors', '0', (s) => `${s.non2xx} / ${s.errors}`);
  row('server CPU / generator CPU (% of one core)', '', (s) => `${cell(s.serverCpuPercent, '%')} / ${cell(s.generatorCpuPercent, '%')}`);
  const d = moroccronRows.map((r) => r.dispatched);
  console.error(
    `| runs started in the window (per minute) | ≥ ${TARGET.runsPerMinute}/min | ${cell(m.runsStartedPerMinute, '/min')} (${d.map((x) => `${x.started} of ${x.due} due`).join(', ')}; start skew p99 ${d.map((x) => cell(x.startSkewMs.p99, ' ms')).join(', ')}) |${baselines.map(() => ' |').join('')}`,
  );
}
