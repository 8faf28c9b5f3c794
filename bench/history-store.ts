/**
 * What a history store costs and buys: etcd capped at 100 runs per job, alone and with a
 * SQLite or PostgreSQL history store behind it. 2,000 finished runs over 10 jobs are
 * written as the scheduler writes them (claim, then finish), then read back: the newest
 * page, a page past the cap, a lookup of the oldest run, and how many runs a job shows.
 * Prints JSON (a table with --table); never asserts.
 *   node --import tsx bench/history-store.ts [--runs 2000] [--table]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Run } from '../src/core/types.js';
import { TieredStore } from '../src/store/history/tiered-store.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/types.js';
import { startEtcd } from '../test/helpers/etcd.js';
import { postgresUnavailable, startPostgres } from '../test/helpers/postgres.js';
import { tempDir } from '../test/helpers/server-process.js';
import { run, storedJob } from '../test/helpers/store-contract.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '2000' }, table: { type: 'boolean', default: false } } });
const total = Number(values.runs);
const JOBS = 10;
const CAP = 100;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!;
const round = (ms: number): number => Math.round(ms * 100) / 100;

async function timed<T>(times: number[], fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const value = await fn();
  times.push(performance.now() - started);
  return value;
}

async function repeat(n: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) await timed(times, fn);
  return round(median(times));
}

async function measure(name: string, store: Store) {
  const epoch = await store.beginEpoch('bench', 0);
  await store.write(epoch, Array.from({ length: JOBS }, (_, j) => ({ op: 'put-job' as const, job: storedJob(`j${j}`) })));
  const writes: number[] = [];
  const runs: Run[] = [];
  for (let i = 0; i < total; i++) {
    const at = 1_000_000 + i * 1000;
    const claimed = run(`j${i % JOBS}`, { id: `run-${String(i).padStart(6, '0')}`, key: `s:${at}`, scheduledAt: at, status: 'running', startedAt: at });
    const done: Run = { ...claimed, status: 'succeeded', exitCode: 0, finishedAt: at + 500 };
    runs.push(done);
    await timed(writes, () => store.write(epoch, [{ op: 'claim-run', run: claimed }]));
    await timed(writes, () => store.write(epoch, [{ op: 'update-run', run: done }]));
  }
  const drainStarted = performance.now();
  if (store instanceof TieredStore) await store.settled();
  const drainMs = round(performance.now() - drainStarted);

  const visible: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<Store['listRuns']>> = await store.listRuns({ job: 'j0', limit: 100, ...(cursor ? { cursor } : {}) });
    visible.push(...page.runs.map((r) => r.id));
    cursor = page.nextCursor;
  } while (cursor);
  const j0 = runs.filter((r) => r.job === 'j0').reverse();
  const pastCap = j0[CAP + 50];
  const oldest = j0[j0.length - 1]!;
  return {
    store: name,
    runsWritten: total,
    writeMs: { p50: round(median(writes)), p90: round(p90(writes)) },
    historyDrainMs: store instanceof TieredStore ? drainMs : null,
    runsListedForOneJob: visible.length,
    newestPageMs: await repeat(100, () => store.listRuns({ job: 'j0', limit: 50 })),
    pagePastCapMs: pastCap
      ? await repeat(100, () => store.listRuns({ job: 'j0', limit: 50, cursor: Buffer.from(`${pastCap.scheduledAt}:${pastCap.id}`).toString('base64url') }))
      : null,
    allJobsPageMs: await repeat(50, () => store.listRuns({ limit: 50 })),
    oldestRunLookupMs: await repeat(100, () => store.getRun(oldest.id)),
    oldestRunFound: (await store.getRun(oldest.id)) !== null,
  };
}

const etcd = await startEtcd();
const postgres = postgresUnavailable() === null ? await startPostgres() : null;
const dir = tempDir('moroccron-history-bench-');
const rows = [];
try {
  const configs: [string, string, string | undefined][] = [
    ['etcd (cap 100)', `etcd://${etcd.hostPort}/bench-alone?history=${CAP}`, undefined],
    ['etcd + SQLite history', `etcd://${etcd.hostPort}/bench-sqlite?history=${CAP}`, `sqlite:${join(dir.path, 'history.db')}`],
    ...(postgres ? [['etcd + PostgreSQL history', `etcd://${etcd.hostPort}/bench-pg?history=${CAP}`, `${postgres.url}?schema=history`] as [string, string, string]] : []),
  ];
  for (const [name, url, historyUrl] of configs) {
    const store = await openStore(url, historyUrl ? { historyUrl } : {});
    try {
      rows.push(await measure(name, store));
    } finally {
      await store.close();
    }
  }
} finally {
  await etcd.stop();
  await postgres?.stop();
  dir.remove();
}
console.log(JSON.stringify({ benchmark: 'history-store', node: process.version, when: new Date().toISOString(), jobs: JOBS, cap: CAP, rows }, null, 2));
if (values.table) {
  console.error('\n| store | runs one job shows | write p50 | p90 | history drain | newest page | page past the cap | all jobs page | oldest run lookup |');
  console.error('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const ms = (v: number | null) => (v === null ? '-' : `${v} ms`);
    console.error(
      `| ${r.store} | ${r.runsListedForOneJob} | ${ms(r.writeMs.p50)} | ${ms(r.writeMs.p90)} | ${ms(r.historyDrainMs)} | ${ms(r.newestPageMs)} | ${ms(r.pagePastCapMs)} | ${ms(r.allJobsPageMs)} | ${r.oldestRunFound ? ms(r.oldestRunLookupMs) : 'not found'} |`,
    );
  }
}
