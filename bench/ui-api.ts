/**
 * What the web UI's reads cost with 1,000 jobs on SQLite: the jobs list with each job's newest
 * finished runs (`?recent=20`, 50 runs stored per job), and the timeline of the next 24 hours
 * (5-minute and 1-minute buckets) over a mix of schedules in several zones, five of them every
 * second. The API runs in this process, over real HTTP on loopback, as a member that does not
 * lead (so nothing runs the jobs; the reads are the same on the leader). Prints JSON (a table
 * with --table); never asserts.
 *   node --import tsx bench/ui-api.ts [--jobs 1000] [--runs 50] [--table]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { StoreOp } from '../src/core/types.js';
import { openStore } from '../src/store/open-store.js';
import { tempDir } from '../test/helpers/server-process.js';
import { startStandbyApi } from '../test/helpers/standby-api.js';
import { run, spec } from '../test/helpers/store-contract.js';
import { NO_PROGRESS } from '../src/core/types.js';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '1000' }, runs: { type: 'string', default: '50' }, table: { type: 'boolean', default: false } } });
const JOBS = Number(values.jobs);
const RUNS_PER_JOB = Number(values.runs);
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (ms: number): number => Math.round(ms * 10) / 10;

/** Most jobs every few minutes or hourly, some daily in local time, 45 every minute and 5 every second. */
function scheduleOf(i: number): string {
  if (i < 5) return '* * * * * *';
  if (i < 50) return '* * * * *';
  if (i < 600) return `${i % 5}-59/5 * * * *`;
  if (i < 800) return `${i % 60} * * * *`;
  return `${i % 60} ${i % 24} * * *`;
}

const dir = tempDir('moroccron-ui-bench-');
const store = await openStore(`sqlite:${join(dir.path, 'moroccron.db')}`);
const epoch = await store.beginEpoch('bench', 0);
const now = Date.now();
for (let i = 0; i < JOBS; i++) {
  const name = `job-${String(i).padStart(4, '0')}`;
  const ops: StoreOp[] = [{ op: 'put-job', job: { spec: spec(name, { schedule: scheduleOf(i), timezone: ZONES[i % ZONES.length] }), cursor: now, createdAt: now, updatedAt: now, progress: structuredClone(NO_PROGRESS) } }];
  for (let r = 0; r < RUNS_PER_JOB; r++) {
    const at = now - (RUNS_PER_JOB - r) * 60_000;
    ops.push({ op: 'claim-run', run: run(name, { id: `${name}-${r}`, key: `s:${at}`, scheduledAt: at, startedAt: at + 20, finishedAt: at + 1500, status: r % 10 === 0 ? 'failed' : 'succeeded', exitCode: r % 10 === 0 ? 1 : 0 }) });
  }
  await store.write(epoch, ops);
}

const { app, url } = await startStandbyApi(store, { id: 'bench' });

async function measure(path: string, times = 10) {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i <= times; i++) {
    const started = performance.now();
    const response = await fetch(`${url}${path}`);
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${body.slice(0, 200)}`);
    if (i > 0) ms.push(performance.now() - started); // the first warms caches up
    bytes = body.length;
  }
  return { path, medianMs: round(median(ms)), maxMs: round(Math.max(...ms)), kilobytes: Math.round(bytes / 1024) };
}

const rows = [];
try {
  for (const path of [
    '/api/v1/jobs',
    '/api/v1/jobs?recent=20',
    '/api/v1/timeline?hours=24&bucketMinutes=5',
    '/api/v1/timeline?hours=24&bucketMinutes=1',
    '/api/v1/timeline?hours=168&bucketMinutes=60',
    '/api/v1/jobs/job-0003/occurrences?count=100',
  ]) {
    rows.push(await measure(path));
  }
} finally {
  await app.close();
  await store.close();
  dir.remove();
}
console.log(JSON.stringify({ benchmark: 'ui-api', node: process.version, when: new Date().toISOString(), jobs: JOBS, runsPerJob: RUNS_PER_JOB, rows }, null, 2));
if (values.table) {
  console.error(`\n${JOBS} jobs, ${RUNS_PER_JOB} finished runs each, SQLite\n\n| request | median | max | size |`);
  console.error('|---|---:|---:|---:|');
  for (const r of rows) console.error(`| \`${r.path}\` | ${r.medianMs} ms | ${r.maxMs} ms | ${r.kilobytes} KiB |`);
}
