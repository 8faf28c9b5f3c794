/**
 * The runs a server wrote, read straight from its SQLite file (read-only, beside the server:
 * WAL lets a reader in while it writes). Paging 10,000 runs through the API during a burst
 * would add load to what is measured, and the API does not show when a run was claimed.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface LedgerRun {
  job: string;
  trigger: string;
  status: string;
  scheduledAt: number;
  claimedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export const TERMINAL_STATUSES = ['succeeded', 'failed', 'killed', 'lost', 'skipped'] as const;
const TERMINAL = TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ');

export interface RunLedger {
  /** Runs with a scheduled time in [from, to): how many are claimed, started, ended. */
  counts(from: number, to: number): { claimed: number; started: number; finished: number };
  /** Every run with a scheduled time in [from, to). */
  runs(from: number, to: number): LedgerRun[];
  close(): void;
}

/** The server's default store: moroccron.db in its data dir. */
export function openRunLedger(dataDir: string): RunLedger {
  const db = new Database(join(dataDir, 'moroccron.db'), { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const counts = db.prepare<[number, number], { claimed: number; started: number | null; finished: number | null }>(
    `SELECT count(*) AS claimed, sum(started_at IS NOT NULL) AS started, sum(status IN (${TERMINAL})) AS finished
       FROM runs WHERE scheduled_at >= ? AND scheduled_at < ?`,
  );
  const runs = db.prepare<[number, number], LedgerRun>(
    `SELECT job, trigger, status, scheduled_at AS scheduledAt, claimed_at AS claimedAt, started_at AS startedAt, finished_at AS finishedAt
       FROM runs WHERE scheduled_at >= ? AND scheduled_at < ?`,
  );
  return {
    counts: (from, to) => {
      const row = counts.get(from, to)!;
      return { claimed: row.claimed, started: row.started ?? 0, finished: row.finished ?? 0 };
    },
    runs: (from, to) => runs.all(from, to),
    close: () => db.close(),
  };
}

/** How many (job, scheduled time) pairs have more than one run: exactly-once says none. */
export function duplicateOccurrences(runs: readonly LedgerRun[]): number {
  const seen = new Map<string, number>();
  for (const r of runs) seen.set(`${r.job} ${r.scheduledAt}`, (seen.get(`${r.job} ${r.scheduledAt}`) ?? 0) + 1);
  return [...seen.values()].filter((n) => n > 1).length;
}

export interface RunSecond {
  /** Seconds since the origin. */
  second: number;
  claimed: number;
  started: number;
  finished: number;
}

/** How many runs were claimed, started and finished in each second from `origin` (epoch ms). */
export function runsPerSecond(runs: readonly LedgerRun[], origin: number): RunSecond[] {
  const seconds = new Map<number, RunSecond>();
  const at = (ms: number): RunSecond => {
    const second = Math.floor((ms - origin) / 1000);
    let row = seconds.get(second);
    if (!row) seconds.set(second, (row = { second, claimed: 0, started: 0, finished: 0 }));
    return row;
  };
  for (const r of runs) {
    at(r.claimedAt).claimed++;
    if (r.startedAt !== null) at(r.startedAt).started++;
    if (r.finishedAt !== null) at(r.finishedAt).finished++;
  }
  return [...seconds.values()].sort((a, b) => a.second - b.second);
}
