/**
 * Znode data for jobs, runs and blacklist entries. Runs leave out their null fields and
 * empty labels and cut long texts, so one run stays a few hundred bytes (MAX_RUN_TEXT
 * bounds the rest). Runs stored before labels existed read back with none.
 */
import type { Run, StoredJob } from '../../core/types.js';
import type { BlacklistEntry } from '../types.js';

/** Longest `reason` / `killReason` kept in ZooKeeper, in characters. */
export const MAX_RUN_TEXT = 2000;
/** Largest znode this store writes: well under ZooKeeper's jute.maxbuffer (1 MiB - 1 by default). */
export const MAX_ZNODE_BYTES = 256 * 1024;

const NULLABLE = ['startedAt', 'finishedAt', 'exitCode', 'reason', 'agent', 'taskId', 'deadline', 'killReason'] as const;

const cut = (text: string | null): string | null => (text !== null && text.length > MAX_RUN_TEXT ? `${text.slice(0, MAX_RUN_TEXT - 1)}…` : text);

const json = (value: unknown, what: string): Buffer => {
  const data = Buffer.from(JSON.stringify(value));
  if (data.length > MAX_ZNODE_BYTES) throw new Error(`${what} is ${data.length} bytes; the ZooKeeper store keeps at most ${MAX_ZNODE_BYTES} per znode`);
  return data;
};

const parse = <T>(data: Buffer): T => JSON.parse(data.toString('utf8')) as T;

export function encodeRun(run: Run): Buffer {
  const stored: Record<string, unknown> = { ...run, reason: cut(run.reason), killReason: cut(run.killReason) };
  for (const field of NULLABLE) if (stored[field] === null) delete stored[field];
  if (Object.keys(run.labels).length === 0) delete stored.labels;
  return json(stored, `run ${run.id}`);
}

export function decodeRun(data: Buffer): Run {
  const stored = parse<Record<string, unknown>>(data);
  for (const field of NULLABLE) stored[field] ??= null;
  stored.labels ??= {};
  return stored as unknown as Run;
}

export const encodeJob = (job: StoredJob): Buffer => json(job, `job ${job.spec.name}`);
export const decodeJob = (data: Buffer): StoredJob => parse<StoredJob>(data);

export const encodeBlacklist = (entry: Omit<BlacklistEntry, 'agent'>): Buffer => json({ reason: entry.reason, since: entry.since }, 'blacklist entry');
export const decodeBlacklist = (agent: string, data: Buffer): BlacklistEntry => ({ agent, ...parse<Omit<BlacklistEntry, 'agent'>>(data) });

export const encodeText = (text: string, what: string): Buffer => {
  const data = Buffer.from(text);
  if (data.length > MAX_ZNODE_BYTES) throw new Error(`${what} is ${data.length} bytes; the ZooKeeper store keeps at most ${MAX_ZNODE_BYTES} per znode`);
  return data;
};
