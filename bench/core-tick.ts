/**
 * Cost of a scheduler tick in the pure core as the number of jobs grows: a tick where one
 * job is due should cost the same with 1,000 or 100,000 jobs (the due-time heap), and a
 * tick where every job is due should grow with the jobs due, not more.
 * Prints JSON (and a table with --table); never asserts.
 */
import { validateJobSpec } from '../src/core/job-spec.js';
import { initialState } from '../src/core/state.js';
import { NO_PROGRESS, type Effect, type StoredJob } from '../src/core/types.js';
import { update } from '../src/core/update.js';

const T0 = Date.parse('2026-06-01T00:00:00Z');

function spec(name: string, schedule: string) {
  const r = validateJobSpec({ name, schedule, command: 'true', resources: { cpus: 0.001, mem: 1 } });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

function bootWith(jobs: StoredJob[]) {
  const state = initialState();
  const capacity = { id: 'bench', resources: { cpus: 1e6, mem: 1e9, disk: 1e9, gpus: 0 }, attributes: { hostname: 'bench' } };
  update(state, { type: 'boot', now: T0, jobs, activeRuns: [], backend: 'local', capacity, agents: ['bench'], blacklist: [], frameworkId: null, owners: [], notices: [], idPrefix: 'b' });
  return state;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const claims = (effects: Effect[]): number => effects.filter((e) => e.type === 'store').flatMap((e) => (e.type === 'store' ? e.ops : [])).filter((o) => o.op === 'claim-run').length;

interface Row {
  jobs: number;
  due: number;
  medianTickMicros: number;
  microsPerDueJob: number;
}

function oneDue(jobCount: number): Row {
  // Every job fires hourly at its own second, so at most one is due in any given second.
  const jobs: StoredJob[] = Array.from({ length: jobCount }, (_, i) => ({
    spec: spec(`j${i}`, `${i % 60} ${Math.floor(i / 60) % 60} * * * *`),
    cursor: T0,
    createdAt: T0,
    updatedAt: T0,
    progress: NO_PROGRESS,
  }));
  const state = bootWith(jobs);
  const samples: number[] = [];
  let due = 0;
  for (let s = 1; s <= 200; s++) {
    const started = performance.now();
    const [, effects] = update(state, { type: 'tick', now: T0 + s * 1000 });
    samples.push((performance.now() - started) * 1000);
    due += claims(effects);
  }
  const m = median(samples);
  return { jobs: jobCount, due: Math.round(due / 200), medianTickMicros: round(m), microsPerDueJob: round(m / Math.max(1, due / 200)) };
}

function allDue(jobCount: number): Row {
  const jobs: StoredJob[] = Array.from({ length: jobCount }, (_, i) => ({ spec: spec(`j${i}`, '* * * * * *'), cursor: T0, createdAt: T0, updatedAt: T0, progress: NO_PROGRESS }));
  const samples: number[] = [];
  let due = 0;
  for (let i = 0; i < 5; i++) {
    const state = bootWith(jobs);
    const started = performance.now();
    const [, effects] = update(state, { type: 'tick', now: T0 + 1000 });
    samples.push((performance.now() - started) * 1000);
    due = claims(effects);
  }
  const m = median(samples);
  return { jobs: jobCount, due, medianTickMicros: round(m), microsPerDueJob: round(m / due) };
}

const round = (n: number): number => Math.round(n * 10) / 10;

const results = {
  benchmark: 'core-tick',
  node: process.version,
  when: new Date().toISOString(),
  oneDue: [1_000, 10_000, 100_000].map(oneDue),
  allDue: [100, 1_000, 10_000].map(allDue),
};
console.log(JSON.stringify(results, null, 2));
if (process.argv.includes('--table')) {
  console.error('\n| jobs | due per tick | median tick (µs) | µs per due job |\n|---:|---:|---:|---:|');
  for (const r of [...results.oneDue, ...results.allDue]) console.error(`| ${r.jobs} | ${r.due} | ${r.medianTickMicros} | ${r.microsPerDueJob} |`);
}
