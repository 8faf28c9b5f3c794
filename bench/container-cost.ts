/**
 * What a container costs a local run, beside the same job without one: a real `moroccron
 * serve` (podman, with the tests' busybox image: test/helpers/podman.ts) runs `true` --runs
 * times one after another, then --burst at once, with and without `container`. Per run: how
 * long it took from its start to its end (finishedAt − startedAt: the container's making and
 * removal are in it) and the machine's CPU (all of it: podman, conmon, runc, the server);
 * for the burst, from the first request to the last end. Prints JSON (a table on stderr
 * with --table); never asserts.
 * The container's making is partly done inside the run's cgroups (runc's init, once the hook
 * put it there), so a job's `cpus` slows it: --cpus sets the jobs' (default 0.25).
 *   node --import tsx bench/container-cost.ts [--runs 30] [--burst 20] [--cpus 0.25] [--mem 128] [--table]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { api, runEnded, startServerProcess, tempDir } from '../test/helpers/server-process.js';
import { podmanForTests, TEST_IMAGE } from '../test/helpers/podman.js';
import { putJobs } from './load/put-jobs.js';
import { shutDown } from './load/server-lifecycle.js';
import { cell, spread, type Spread } from './load/stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' }, burst: { type: 'string', default: '20' }, mem: { type: 'string', default: '128' }, cpus: { type: 'string', default: '0.25' }, table: { type: 'boolean', default: false } } });
const RUNS = Number(values.runs);
const MEM = Number(values.mem);
const CPUS = Number(values.cpus);
const BURST = Number(values.burst);
/** Clock ticks per second of /proc's CPU times (USER_HZ): 100 on Linux. */
const TICK_MS = 10;

const { skip } = podmanForTests();
if (skip) throw new Error(`cannot run containers here: ${skip}`);

interface RunJson {
  id: string;
  status: string;
  scheduledAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

function machineTicks(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return user! + nice! + system! + irq! + softirq! + steal!;
}

const startNow = async (url: string, job: string): Promise<string> => {
  const started = await api<RunJson>(`${url}/api/v1/jobs/${job}/run`, 'POST');
  if (started.status !== 201) throw new Error(`POST /jobs/${job}/run: ${started.status} ${JSON.stringify(started.body)}`);
  return started.body.id;
};
const ms = (from: string | null, to: string | null): number => Date.parse(to!) - Date.parse(from!);

interface Row {
  kind: 'process' | 'container';
  /** finishedAt − startedAt of runs one after another, ms. */
  runMs: Spread;
  /** The machine's CPU per run, ms (everything that ran meanwhile). */
  cpuMsPerRun: number;
  /** --burst runs at once: first request to last end, ms. */
  burstMs: number;
}

async function measure(url: string, kind: Row['kind']): Promise<Row> {
  const job = kind === 'container' ? 'boxed' : 'plain';
  await runEnded(url, await startNow(url, job), 60_000); // warm: the image's layers, the page cache
  const durations: number[] = [];
  const ticksBefore = machineTicks();
  for (let i = 0; i < RUNS; i++) {
    const run = await runEnded<RunJson>(url, await startNow(url, job), 60_000);
    if (run.status !== 'succeeded') throw new Error(`${job}: run ${run.id} ${run.status}`);
    durations.push(ms(run.startedAt, run.finishedAt));
  }
  const cpuMsPerRun = Math.round(((machineTicks() - ticksBefore) * TICK_MS) / RUNS);
  const ids = await Promise.all(Array.from({ length: BURST }, () => startNow(url, job)));
  const ended = await Promise.all(ids.map((id) => runEnded<RunJson>(url, id, 120_000)));
  const first = Math.min(...ended.map((r) => Date.parse(r.scheduledAt)));
  const last = Math.max(...ended.map((r) => Date.parse(r.finishedAt!)));
  return { kind, runMs: spread(durations), cpuMsPerRun, burstMs: last - first };
}

const dir = tempDir('moroccron-bench-containers-');
const rows: Row[] = [];
try {
  const server = await startServerProcess(dir.path);
  try {
    await putJobs(server.url, [
      { name: 'plain', command: 'true', concurrency: 'allow', resources: { cpus: CPUS, mem: MEM } },
      { name: 'boxed', container: { image: TEST_IMAGE, network: 'none' }, command: 'true', concurrency: 'allow', resources: { cpus: CPUS, mem: MEM } },
    ]);
    rows.push(await measure(server.url, 'process'), await measure(server.url, 'container'));
  } finally {
    await shutDown(server);
  }
} finally {
  dir.remove();
}

console.log(JSON.stringify({ benchmark: 'container-cost', node: process.version, when: new Date().toISOString(), runtime: 'podman', runs: RUNS, burst: BURST, jobResources: { cpus: CPUS, mem: MEM }, rows }, null, 2));
if (values.table) {
  const lines = [
    `| run | start to end, median | p99 | machine CPU per run | ${BURST} at once: first request to last end |`,
    '|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.kind === 'container' ? 'podman container (`true`)' : 'process (`true`)'} | ${cell(r.runMs.p50, ' ms')} | ${cell(r.runMs.p99, ' ms')} | ${r.cpuMsPerRun} ms | ${r.burstMs} ms |`),
  ];
  console.error(lines.join('\n'));
}
