/**
 * The web UI's timeline with many jobs (default 100,000, the realistic mix of bench/scale.ts,
 * SQLite): what `GET /api/v1/timeline` costs on the leader (a real `moroccron serve`, which
 * draws from the jobs it holds) and on a member that does not lead (the API in this process
 * over the same store, which reads every job from it). Measured: the first page of rows
 * (`limit=100`) for the day in 5-minute buckets and for an hour by the minute, asked again
 * (counts kept) and for a window not asked before (counted afresh), the next page by cursor,
 * a filtered page, the top 5 of one bucket, and every job's row at once (what the page asked
 * for before it paged). Prints JSON (a table with --table); never asserts.
 *   node --import tsx bench/timeline.ts [--jobs 100000] [--samples 20] [--table]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../src/store/open-store.js';
import { api, sleep, startServerProcess, tempDir } from '../test/helpers/server-process.js';
import { startStandbyApi } from '../test/helpers/standby-api.js';
import { jobNameOf, scheduleOf, timezoneOf } from './load/job-mix.js';
import { putJobs } from './load/put-jobs.js';
import { shutDown } from './load/server-lifecycle.js';
import { cell, spread, type Spread } from './load/stats.js';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '100000' }, samples: { type: 'string', default: '20' }, table: { type: 'boolean', default: false } } });
const JOBS = Number(values.jobs);
const SAMPLES = Number(values.samples);
if (!Number.isInteger(JOBS) || JOBS <= 0) throw new Error('--jobs must be a positive whole number');
if (!Number.isInteger(SAMPLES) || SAMPLES <= 0) throw new Error('--samples must be a positive whole number');

const DAY = 'hours=24&bucketMinutes=5';
const HOUR = 'hours=1&bucketMinutes=1';
const FIVE_MINUTES = 300_000;

interface Row {
  member: 'leader' | 'standby';
  request: string;
  ms: Spread;
  kilobytes: number;
}

const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

/** `times` GETs of `pathAt(i)`, timed to the last byte. */
async function measure(url: string, member: Row['member'], request: string, times: number, pathAt: (i: number) => Promise<string> | string): Promise<Row> {
  const took: number[] = [];
  let bytes = 0;
  for (let i = 0; i < times; i++) {
    const path = await pathAt(i);
    const began = performance.now();
    const response = await fetch(`${url}${path}`);
    const body = await response.arrayBuffer();
    took.push(performance.now() - began);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${Buffer.from(body).toString().slice(0, 300)}`);
    bytes = body.byteLength;
  }
  const s = spread(took);
  return { member, request, ms: { count: s.count, p50: round(s.p50), p99: round(s.p99), max: round(s.max) }, kilobytes: Math.round(bytes / 1024) };
}

/** A window that starts `i` buckets after a fixed time: never asked before, so counted afresh. */
const freshDay = (base: number) => (i: number) => `/api/v1/timeline?${DAY}&limit=100&from=${new Date(base + (i + 1) * FIVE_MINUTES).toISOString()}`;
const freshHour = (base: number) => (i: number) => `/api/v1/timeline?${HOUR}&limit=100&from=${new Date(base + (i + 1) * 3_600_000).toISOString()}`;

/** The path of the page after the first, for the cursor of the window's first page. */
async function secondPage(url: string, query: string): Promise<string> {
  const first = await api<{ nextCursor: string | null; from: string }>(`${url}/api/v1/timeline?${query}&limit=100`);
  return `/api/v1/timeline?${query}&limit=100&from=${first.body.from}&cursor=${first.body.nextCursor}`;
}

async function measureMember(url: string, member: Row['member'], samples: number): Promise<Row[]> {
  const base = Math.floor(Date.now() / FIVE_MINUTES) * FIVE_MINUTES + 7 * 24 * 3_600_000;
  const whole = Math.max(1, Math.min(3, samples));
  return [
    await measure(url, member, 'day, first page, counted afresh', samples, freshDay(base)),
    await measure(url, member, 'day, first page, again', samples, () => `/api/v1/timeline?${DAY}&limit=100`),
    await measure(url, member, 'day, next page', samples, () => secondPage(url, DAY)),
    await measure(url, member, 'day, filtered (label, q)', samples, (i) => `/api/v1/timeline?${DAY}&limit=100&label=team=team-${i % 50}&q=scale-0`),
    await measure(url, member, 'day, top 5 of a bucket', samples, (i) => `/api/v1/timeline?${DAY}&limit=5&bucket=${(i * 37) % 288}`),
    await measure(url, member, 'hour, first page, counted afresh', samples, freshHour(base)),
    await measure(url, member, 'hour, first page, again', samples, () => `/api/v1/timeline?${HOUR}&limit=100`),
    await measure(url, member, 'day, every row (no limit)', whole, () => `/api/v1/timeline?${DAY}`),
    await measure(url, member, 'hour, every row (no limit)', whole, () => `/api/v1/timeline?${HOUR}`),
  ];
}

const dir = tempDir('moroccron-timeline-bench-');
const rows: Row[] = [];
try {
  const jobs = Array.from({ length: JOBS }, (_, i) => ({
    name: jobNameOf(i),
    command: 'true',
    schedule: scheduleOf(i, 'realistic'),
    timezone: timezoneOf(i),
    labels: { team: `team-${i % 50}` },
    ...(i % 100 === 0 ? { paused: true } : {}),
  }));
  const server = await startServerProcess(dir.path);
  try {
    await putJobs(server.url, jobs);
    while ((await fetch(`${server.url}/readyz`)).status !== 200) await sleep(50);
    rows.push(...(await measureMember(server.url, 'leader', SAMPLES)));
  } finally {
    await shutDown(server);
  }

  // A member that does not lead: the same API over the same store, in this process.
  const store = await openStore(`sqlite:${join(dir.path, 'moroccron.db')}`);
  const { app, url } = await startStandbyApi(store, { id: 'bench' });
  try {
    rows.push(...(await measureMember(url, 'standby', Math.max(1, Math.round(SAMPLES / 4)))));
  } finally {
    await app.close();
    await store.close();
  }
} finally {
  dir.remove();
}

console.log(JSON.stringify({ benchmark: 'timeline', node: process.version, when: new Date().toISOString(), jobs: JOBS, mix: 'realistic', store: 'sqlite', rows }, null, 2));
if (values.table) {
  console.error(`\n${JOBS.toLocaleString('en')} jobs (realistic mix), SQLite\n\n| member | request | p50 | p99 | max | size |\n|---|---|---:|---:|---:|---:|`);
  for (const r of rows) console.error(`| ${r.member} | ${r.request} | ${cell(r.ms.p50, ' ms')} | ${cell(r.ms.p99, ' ms')} | ${cell(r.ms.max, ' ms')} | ${r.kilobytes.toLocaleString('en')} KiB |`);
}
