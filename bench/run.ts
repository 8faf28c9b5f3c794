/**
 * `npm run bench`: runs benchmarks one after another, each in its own process, and keeps
 * each one's JSON in bench/results/<name>.json; tables go to stderr.
 *   npm run bench                      the quick one (core-tick)
 *   npm run bench -- --all             every benchmark (several minutes; needs etcd, ZooKeeper, PostgreSQL, chromium)
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
  'ha-takeover': ['bench/ha-takeover.ts', '--kills', '15'],
  'ui-load': ['bench/ui-load.ts'],
  'ui-api': ['bench/ui-api.ts'],
  burst: ['bench/burst.ts'],
  // The same burst with jobs that ask for almost no cpu, so the host's capacity lets every run start at once.
  'burst-tiny': ['bench/burst.ts', '--job-cpus', '0.001'],
  launcher: ['bench/launcher.ts', '--physical'],
  'mesos-throughput': ['bench/mesos-throughput.ts'],
};

/** Smaller variants for `--quick`; their JSON goes to bench/results/<name>.quick.json. */
const QUICK: Record<string, string[]> = {
  'core-tick': ['bench/core-tick.ts'],
  burst: ['bench/burst.ts', '--jobs', '2000'],
  'burst-tiny': ['bench/burst.ts', '--jobs', '2000', '--job-cpus', '0.001'],
  launcher: ['bench/launcher.ts', '--seconds', '10', '--rates', '100,300', '--physical'],
  'mesos-throughput': ['bench/mesos-throughput.ts', '--quick'],
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
  const child = spawn(process.execPath, ['--import', 'tsx', ...(quick ? QUICK[name]! : BENCHES[name]!), '--table'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let json = '';
  child.stdout.on('data', (d: Buffer) => (json += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) {
    console.error(`${name} failed (exit ${code})`);
    process.exit(1);
  }
  writeFileSync(join('bench', 'results', `${name}${quick ? '.quick' : ''}.json`), json);
}
