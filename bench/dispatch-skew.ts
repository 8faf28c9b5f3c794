/**
 * End-to-end dispatch skew on the local backend: a real `moroccron serve` process runs N
 * jobs that fire every second (`echo`), and we read back each run's skew (start minus
 * scheduled time) from the API. Prints JSON (and a table with --table); never asserts.
 * With --backend mesos the same jobs go through the Mesos path: the framework library
 * against the in-repo sim (3 agents of 16 cpus), offers, ACCEPTs and status updates.
 *   node --import tsx bench/dispatch-skew.ts [--jobs 10,100,200] [--seconds 15] [--backend local|mesos] [--max-log-size 0] [--table]
 */
import { parseArgs } from 'node:util';
import { startMesosSim } from '../src/mesos/sim/index.js';
import { api, sleep, startServerProcess, tempDir } from '../test/helpers/server-process.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10,100,200' },
    seconds: { type: 'string', default: '15' },
    backend: { type: 'string', default: 'local' },
    // The local backend's log cap (`serve --max-log-size`): 0 runs jobs without the two copiers a capped run needs.
    'max-log-size': { type: 'string' },
    table: { type: 'boolean', default: false },
  },
});
const sizes = values.jobs.split(',').map(Number);
const seconds = Number(values.seconds);

interface RunJson {
  status: string;
  trigger: string;
  scheduledAt: string;
  skewMs: number | null;
  job: string;
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function measure(jobCount: number) {
  const dir = tempDir('moroccron-bench-');
  const sim = values.backend === 'mesos' ? await startMesosSim({ agents: 3, cpus: 16, mem: 65536, allocationIntervalMs: 100 }) : null;
  const logCap = values['max-log-size'] !== undefined ? ['--max-log-size', values['max-log-size']] : [];
  const server = await startServerProcess(dir.path, sim ? ['--backend', 'mesos', '--mesos-master', sim.url] : logCap);
  try {
    const jobs = Array.from({ length: jobCount }, (_, i) => ({
      name: `b${i}`,
      schedule: '* * * * * *',
      command: 'echo x',
      concurrency: 'allow',
      resources: { cpus: 0.001, mem: 1 },
      history: { keep: 100_000 },
    }));
    await api(`${server.url}/api/v1/jobs`, 'POST', jobs);
    await sleep(seconds * 1000);
    await Promise.all(jobs.map((j) => api(`${server.url}/api/v1/jobs/${j.name}/pause`, 'POST')));
    await sleep(2000);
    const runs: RunJson[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { runs: RunJson[]; nextCursor: string | null } } = await api(`${server.url}/api/v1/runs?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
      runs.push(...page.body.runs);
      cursor = page.body.nextCursor;
    } while (cursor);
    const skews = runs.filter((r) => r.skewMs !== null).map((r) => r.skewMs!).sort((a, b) => a - b);
    const keys = runs.filter((r) => r.trigger === 'schedule').map((r) => `${r.job} ${r.scheduledAt}`);
    return {
      jobs: jobCount,
      runsPerSecond: jobCount,
      runs: runs.length,
      succeeded: runs.filter((r) => r.status === 'succeeded').length,
      duplicates: keys.length - new Set(keys).size,
      skewMs: { p50: quantile(skews, 0.5), p90: quantile(skews, 0.9), p99: quantile(skews, 0.99), max: skews[skews.length - 1] ?? NaN },
    };
  } finally {
    await server.stop();
    await sim?.close();
    dir.remove();
  }
}

const results = { benchmark: 'dispatch-skew', backend: values.backend, maxLogSize: values['max-log-size'] ?? 'default', node: process.version, when: new Date().toISOString(), seconds, rows: [] as Awaited<ReturnType<typeof measure>>[] };
for (const n of sizes) results.rows.push(await measure(n));
console.log(JSON.stringify(results, null, 2));
if (values.table) {
  console.error('\n| runs/s | runs | succeeded | duplicates | skew p50 | p90 | p99 | max |\n|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results.rows) {
    console.error(`| ${r.runsPerSecond} | ${r.runs} | ${r.succeeded} | ${r.duplicates} | ${r.skewMs.p50} ms | ${r.skewMs.p90} ms | ${r.skewMs.p99} ms | ${r.skewMs.max} ms |`);
  }
}
