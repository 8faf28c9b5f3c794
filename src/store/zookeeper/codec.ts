/**
 * Znode data for jobs, runs, owners, notices, blacklist entries, tokens and audit entries.
 * Runs leave out their null fields and empty labels and causes, and cut long texts, so one
 * run stays a few hundred bytes (MAX_RUN_TEXT bounds the rest); a notice cuts its run's
 * reason the same way.
 * Fields added since (labels, causes, late; a job's progress) default for what was stored
 * before them.
 */
import { NO_PROGRESS, type AuditEntry, type Notice, type Run, type StoredJob, type StoredOwner, type StoredToken } from '../../core/types.js';
import type { BlacklistEntry } from '../types.js';

/** Longest `reason` / `killReason` kept in ZooKeeper, in characters. */
export const MAX_RUN_TEXT = 2000;
/** Largest znode this store writes: well under ZooKeeper's jute.maxbuffer (1 MiB - 1 by default). */
export const MAX_ZNODE_BYTES = 256 * 1024;

const NULLABLE = ['startedAt', 'finishedAt', 'exitCode', 'reason', 'agent', 'taskId', 'deadline', 'killReason', 'usage'] as const;

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
  if (run.causes.length === 0) delete stored.causes;
  if (!run.late) delete stored.late;
  return json(stored, `run ${run.id}`);
}

export function decodeRun(data: Buffer): Run {
  const stored = parse<Record<string, unknown>>(data);
  for (const field of NULLABLE) stored[field] ??= null;
  stored.labels ??= {};
  stored.causes ??= [];
  stored.late ??= false;
  return stored as unknown as Run;
}

export const encodeJob = (job: StoredJob): Buffer => json(job, `job ${job.spec.name}`);

export function decodeJob(data: Buffer): StoredJob {
  const job = parse<Omit<StoredJob, 'progress'> & Partial<Pick<StoredJob, 'progress'>>>(data);
  return { ...job, progress: job.progress ?? structuredClone(NO_PROGRESS) };
}

export const encodeOwner = (owner: StoredOwner): Buffer => json(owner, `owner ${owner.spec.name}`);
export const decodeOwner = (data: Buffer): StoredOwner => parse<StoredOwner>(data);

/** A notice and its position in the batch that put it (see notices.ts). */
export interface StoredNotice {
  position: number;
  notice: Notice;
}

export function encodeNotice(notice: Notice, position: number): Buffer {
  const run = notice.facts.run && { ...notice.facts.run, reason: cut(notice.facts.run.reason) };
  const stored: StoredNotice = { position, notice: { ...notice, facts: { ...notice.facts, run } } };
  return json(stored, `notice ${notice.id}`);
}

export const decodeNotice = (data: Buffer): StoredNotice => parse<StoredNotice>(data);

export const encodeBlacklist = (entry: Omit<BlacklistEntry, 'agent'>): Buffer => json({ reason: entry.reason, since: entry.since }, 'blacklist entry');
export const decodeBlacklist = (agent: string, data: Buffer): BlacklistEntry => ({ agent, ...parse<Omit<BlacklistEntry, 'agent'>>(data) });

export const encodeToken = (token: StoredToken): Buffer => json(token, `token ${token.id}`);
export const decodeToken = (data: Buffer): StoredToken => parse<StoredToken>(data);

export const encodeAudit = (entry: AuditEntry): Buffer => json(entry, `audit entry ${entry.id}`);
export const decodeAudit = (data: Buffer): AuditEntry => parse<AuditEntry>(data);

export const encodeText = (text: string, what: string): Buffer => {
  const data = Buffer.from(text);
  if (data.length > MAX_ZNODE_BYTES) throw new Error(`${what} is ${data.length} bytes; the ZooKeeper store keeps at most ${MAX_ZNODE_BYTES} per znode`);
  return data;
};
