/** Builders of the records the Store contract writes: jobs, runs, owners, notices, tokens and audit entries. */
import assert from 'node:assert/strict';
import { validateJobSpec, type JobSpec } from '../../src/core/job-spec.js';
import { validateOwnerSpec } from '../../src/core/owner-spec.js';
import { NO_PROGRESS, type AuditEntry, type Notice, type NoticeFacts, type Run, type StoredJob, type StoredOwner, type StoredToken } from '../../src/core/types.js';

export function spec(name: string, extra: Record<string, unknown> = {}): JobSpec {
  const result = validateJobSpec({ name, schedule: '* * * * *', command: 'true', ...extra });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.value;
}

export const storedJob = (name: string, cursor: number | null = 1000): StoredJob => ({
  spec: spec(name),
  cursor,
  createdAt: 1,
  updatedAt: 2,
  progress: structuredClone(NO_PROGRESS),
});

let seq = 0;
export function run(job: string, fields: Partial<Run> = {}): Run {
  const id = fields.id ?? `run-${++seq}`;
  return {
    id,
    job,
    key: `s:${id}`,
    trigger: 'schedule',
    scheduledAt: 1000,
    claimedAt: 1001,
    startedAt: null,
    finishedAt: null,
    attempt: 1,
    status: 'queued',
    exitCode: null,
    reason: null,
    agent: null,
    taskId: null,
    rootId: id,
    deadline: null,
    killReason: null,
    labels: {},
    causes: [],
    late: false,
    usage: null,
    ...fields,
  };
}

export function owner(name: string, extra: Record<string, unknown> = {}, times = { createdAt: 1, updatedAt: 2 }): StoredOwner {
  const result = validateOwnerSpec({ name, email: `${name}@example.com`, ...extra });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return { spec: result.value, ...times };
}

/** A failure notice of job `j` for `data-team` by webhook, unless `facts` say otherwise. */
export function notice(id: string, facts: Partial<NoticeFacts> = {}): Notice {
  return {
    id,
    target: { channel: 'webhook', url: 'https://ops.example.com/hooks/cron', secret: null },
    facts: {
      kind: 'failure',
      job: 'j',
      owner: 'data-team',
      run: { id: 'r-1', attempt: 1, status: 'failed', trigger: 'schedule', exitCode: 2, reason: 'exit code 2', agent: 'host', scheduledAt: 1000, startedAt: 1001, finishedAt: 1500 },
      waiting: ['child', 'grandchild'],
      sla: null,
      at: 1500,
      ...facts,
    },
  };
}

export function token(id: string, fields: Partial<StoredToken> = {}): StoredToken {
  return {
    id,
    name: `token ${id}`,
    role: 'operator',
    owners: ['team-a'],
    secretHash: `scrypt$16384$8$1$salt-${id}$hash-${id}`,
    createdAt: 1000,
    expiresAt: null,
    revokedAt: null,
    createdBy: 'local:root',
    ...fields,
  };
}

export function auditEntry(id: string, at: number, fields: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    at,
    actor: { tokenId: 'tok1', name: 'ci-deploy', role: 'operator', address: '127.0.0.1' },
    action: 'put-jobs',
    targets: ['nightly'],
    outcome: 'done',
    status: 200,
    detail: null,
    ...fields,
  };
}
