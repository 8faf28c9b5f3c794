/**
 * `npm run bench`: runs benchmarks one after another, each in its own process, and keeps
 * each one's JSON in bench/results/<name>.json; tables go to stderr.
 *   npm run bench                      the quick one (core-tick)
 *   npm run bench -- --all             every benchmark (over an hour, the soak alone takes one; needs etcd, ZooKeeper, PostgreSQL, chromium)
 *   npm run bench -- history-store     the ones named
 *   npm run bench -- --quick           the smaller variant of each benchmark that has one (minutes, not tens of them);
 *                                      with names or --all, those named (or all) in their smaller variant where they have one
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const BENCHES: Record<string, string[]> = {
  'core-tick': ['bench/core-tick.ts'],
  'dispatch-skew': ['bench/dispatch-skew.ts'],
  'dispatch-skew-mesos': ['bench/dispatch-skew.ts', '--backend', 'mesos'],
  'history-store': ['bench/history-store.ts'],
  'ha-takeover': ['bench/ha-takeover.ts', '--kills', '25'],
  'ui-load': ['bench/ui-load.ts'],
  'ui-api': ['bench/ui-api.ts'],
  // GET /api/v1/timeline with 100,000 jobs: pages of rows, filters, a bucket's top jobs, on the leader and on a member that does not lead.
  timeline: ['bench/timeline.ts'],
  burst: ['bench/burst.ts'],
  // The same burst with jobs that ask for almost no cpu, so the host's capacity lets every run start at once.
  'burst-tiny': ['bench/burst.ts', '--job-cpus', '0.001'],
  // The same burst with logs uncapped: the job writes straight to its log files (what the log cap costs a burst).
  'burst-uncapped': ['bench/burst.ts', '--max-log-size', '0'],
  launcher: ['bench/launcher.ts', '--physical'],
  // CPU per local run, split between the server, the launcher and the run's own programs; the floor it puts under a burst.
  'run-cost': ['bench/run-cost.ts'],
  // A podman container per run beside a plain process: start to end, machine CPU, 20 at once.
  'container-cost': ['bench/container-cost.ts'],
  'mesos-throughput': ['bench/mesos-throughput.ts'],
  // 1,000 / 10,000 / 100,000 jobs registered: start to ready, RSS, job-list pages, idle CPU; croner beside it.
  scale: ['bench/scale.ts'],
  'scale-distinct': ['bench/scale.ts', '--mix', 'distinct', '--jobs', '100000', '--no-croner'],
  // GET /api/v1/jobs/{name} under autocannon while 1,000 runs/min start, beside a hello-world server's ceiling; 3 rounds.
  'api-throughput': ['bench/api-throughput.ts', '--rounds', '3'],
  // The same with API tokens required and a rate limit (one too high to refuse): what each request costs for both.
  'api-throughput-tokens': ['bench/api-throughput.ts', '--rounds', '3', '--auth', 'tokens', '--serve-args=--rate-limit 100000000/1m', '--baselines', ''],
  // An hour at 1,020 runs/min: RSS, heap and fds flat; the chart goes to bench/results/soak.svg.
  soak: ['bench/soak.ts'],
  // The same for 5 minutes, a quick check of a change.
  'soak-5m': ['bench/soak.ts', '--minutes', '5', '--svg', 'bench/results/soak-5m.svg'],
};

/** Smaller variants for `--quick`; their JSON goes to bench/results/<name>.quick.json. */
const QUICK: Record<string, string[]> = {
  'core-tick': ['bench/core-tick.ts'],
  burst: ['bench/burst.ts', '--jobs', '2000', '--lead-s', '5'],
  'burst-tiny': ['bench/burst.ts', '--jobs', '2000', '--job-cpus', '0.001', '--lead-s', '5'],
  launcher: ['bench/launcher.ts', '--seconds', '5', '--rate-seconds', '5', '--rates', '100,300', '--physical'],
  'run-cost': ['bench/run-cost.ts', '--seconds', '5'],
  'container-cost': ['bench/container-cost.ts', '--runs', '10', '--burst', '10'],
  'mesos-throughput': ['bench/mesos-throughput.ts', '--quick', '--seconds', '5'],
  scale: ['bench/scale.ts', '--jobs', '1000,10000', '--idle-s', '5'],
  timeline: ['bench/timeline.ts', '--jobs', '10000', '--samples', '10'],
  'api-throughput': ['bench/api-throughput.ts', '--seconds', '5', '--warmup-s', '1', '--baselines', 'fastify'],
  soak: ['bench/soak.ts', '--minutes', '0.75', '--sample-s', '2', '--svg', 'bench/results/soak.quick.svg'],
};

const { values, positionals } = parseArgs({
  options: { all: { type: 'boolean', default: false }, quick: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const names = values.all ? Object.keys(BENCHES) : positionals.length > 0 ? positionals : values.quick ? Object.keys(QUICK) : ['core-tick'];
const unknown = names.filter((n) => !(n in BENCHES));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}

for (const name of names) {
  const quick = values.quick && name in QUICK;
  console.error(`\n== ${name}${quick ? ' (quick)' : ''}`);
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', ...(quick ? QUICK[name]! : BENCHES[name]!), '--table'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let json = '';
  child.stdout.on('data', (d: Buffer) => (json += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) {
    console.error(`${name} failed (exit ${code})`);
    process.exit(1);
  }
  writeFileSync(join('bench', 'results', `${name}${quick ? '.quick' : ''}.json`), json);
  console.error(`== ${name}: ${Math.round((performance.now() - started) / 1000)} s`);
}
console.error(`\n== all ${names.length}: ${Math.round(performance.now() / 1000)} s`);
