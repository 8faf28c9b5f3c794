/** Runs as table rows (snake_case columns), shared by the SQL stores. */
import type { Run, RunStatus, RunTrigger, RunUsage } from '../core/types.js';

export interface RunRow {
  id: string;
  job: string;
  key: string;
  trigger: string;
  scheduled_at: number;
  claimed_at: number;
  started_at: number | null;
  finished_at: number | null;
  attempt: number;
  status: string;
  exit_code: number | null;
  reason: string | null;
  agent: string | null;
  task_id: string | null;
  root_id: string;
  deadline: number | null;
  kill_reason: string | null;
  /** JSON text as written; PostgreSQL's driver reads its JSONB back already parsed. */
  labels: string | Record<string, string>;
  /** JSON text as written, or parsed JSONB as labels. */
  causes: string | string[];
  /** Written as 0 or 1 (SQLite has no boolean); PostgreSQL's BOOLEAN reads back as one. */
  late: number | boolean;
  /** JSON text as written, or parsed JSONB as labels; null: not measured. */
  usage: string | RunUsage | null;
}

export const RUN_COLUMNS = [
  'id', 'job', 'key', 'trigger', 'scheduled_at', 'claimed_at', 'started_at', 'finished_at', 'attempt', 'status',
  'exit_code', 'reason', 'agent', 'task_id', 'root_id', 'deadline', 'kill_reason', 'labels', 'causes', 'late', 'usage',
] as const;

/**
 * The columns an update-run writes: all but the run's identity (id, and job, key and
 * scheduled_at, which no later state changes: see the update-run op).
 */
export const RUN_UPDATE_COLUMNS = RUN_COLUMNS.filter((c) => c !== 'id' && c !== 'job' && c !== 'key' && c !== 'scheduled_at');

export const toRow = (r: Run): RunRow => ({
  id: r.id,
  job: r.job,
  key: r.key,
  trigger: r.trigger,
  scheduled_at: r.scheduledAt,
  claimed_at: r.claimedAt,
  started_at: r.startedAt,
  finished_at: r.finishedAt,
  attempt: r.attempt,
  status: r.status,
  exit_code: r.exitCode,
  reason: r.reason,
  agent: r.agent,
  task_id: r.taskId,
  root_id: r.rootId,
  deadline: r.deadline,
  kill_reason: r.killReason,
  labels: JSON.stringify(r.labels),
  causes: JSON.stringify(r.causes),
  late: r.late ? 1 : 0,
  usage: r.usage === null ? null : JSON.stringify(r.usage),
});

// SQL drivers may hand back BIGINT columns as strings; numbers they are.
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export const fromRow = (row: RunRow): Run => ({
  id: row.id,
  job: row.job,
  key: row.key,
  trigger: row.trigger as RunTrigger,
  scheduledAt: num(row.scheduled_at),
  claimedAt: num(row.claimed_at),
  startedAt: numOrNull(row.started_at),
  finishedAt: numOrNull(row.finished_at),
  attempt: num(row.attempt),
  status: row.status as RunStatus,
  exitCode: numOrNull(row.exit_code),
  reason: row.reason,
  agent: row.agent,
  taskId: row.task_id,
  rootId: row.root_id,
  deadline: numOrNull(row.deadline),
  killReason: row.kill_reason,
  labels: typeof row.labels === 'string' ? (JSON.parse(row.labels) as Record<string, string>) : row.labels,
  causes: typeof row.causes === 'string' ? (JSON.parse(row.causes) as string[]) : row.causes,
  late: row.late === true || row.late === 1,
  usage: row.usage === null || row.usage === undefined ? null : typeof row.usage === 'string' ? (JSON.parse(row.usage) as RunUsage) : row.usage,
});

/** Unfinished runs: what loadState returns and the stores' active indexes cover. */
export const ACTIVE_STATUSES = ['waiting', 'queued', 'launching', 'running'] as const;
export const FINISHED_STATUSES = ['succeeded', 'failed', 'killed', 'lost', 'skipped'] as const;

/** The order every store lists runs in: newest scheduled first, ties by ID descending (as the SQL indexes). */
export const newestFirst = (a: Run, b: Run): number => b.scheduledAt - a.scheduledAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
