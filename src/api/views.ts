/** How jobs and runs look on the wire: ISO 8601 times, skew and duration in milliseconds. */
import { hideTriggerSecrets } from '../core/channel-secrets.js';
import { redactSpec, type EnvRedaction } from '../core/env-redaction.js';
import type { JobLiveState } from '../core/queries.js';
import { skewOf, type Run, type StoredJob } from '../core/types.js';
import { deepFreeze, isDeepFrozen } from '../lib/deep-freeze.js';
import { serializeOnce } from './json-once.js';

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

export function runView(run: Run) {
  return {
    id: run.id,
    job: run.job,
    status: run.status,
    trigger: run.trigger,
    attempt: run.attempt,
    scheduledAt: iso(run.scheduledAt)!,
    claimedAt: iso(run.claimedAt)!,
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    skewMs: skewOf(run),
    durationMs: run.startedAt !== null && run.finishedAt !== null ? run.finishedAt - run.startedAt : null,
    exitCode: run.exitCode,
    reason: run.reason,
    agent: run.agent,
    taskId: run.taskId,
    key: run.key,
    rootId: run.rootId,
    deadline: iso(run.deadline),
    labels: run.labels,
    causes: run.causes,
    late: run.late,
    usage: run.usage,
  };
}

export type RunJson = ReturnType<typeof runView>;

/** The view made afresh (see jobView). */
function renderJobView(job: StoredJob, live: JobLiveState | null, redaction: EnvRedaction) {
  return {
    ...hideTriggerSecrets(redactSpec(job.spec, redaction)),
    state: {
      createdAt: iso(job.createdAt)!,
      updatedAt: iso(job.updatedAt)!,
      cursor: iso(job.cursor),
      nextRunAt: live ? iso(live.nextDue) : null,
      activeRuns: live?.activeRuns ?? [],
    },
  };
}

export type JobJson = ReturnType<typeof renderJobView>;

/**
 * The last view of each job that cannot change (deeply frozen, as the SQLite store hands out
 * the jobs it keeps), and what it was made from: while the live state is the same, the same
 * frozen view, whose JSON text is made once (see json-once.ts).
 */
const lastViews = new WeakMap<StoredJob, { live: JobLiveState | null; redaction: EnvRedaction; view: JobJson }>();

const sameLiveState = (a: JobLiveState | null, b: JobLiveState | null): boolean =>
  a === null || b === null
    ? a === b
    : a.nextDue === b.nextDue && a.activeRuns.length === b.activeRuns.length && a.activeRuns.every((id, i) => id === b.activeRuns[i]);

/** The spec as stored, its secrets as `***`, plus a read-only `state`, which writes ignore. */
export function jobView(job: StoredJob, live: JobLiveState | null, redaction: EnvRedaction): JobJson {
  const last = lastViews.get(job);
  if (last !== undefined && last.redaction === redaction && sameLiveState(last.live, live)) return last.view;
  const view = renderJobView(job, live, redaction);
  if (!isDeepFrozen(job)) return view;
  const kept = serializeOnce(deepFreeze(view));
  lastViews.set(job, { live: live && { nextDue: live.nextDue, activeRuns: [...live.activeRuns] }, redaction, view: kept });
  return kept;
}
