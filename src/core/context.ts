/**
 * What one update() call accumulates: store operations (committed first, in one
 * transaction) and the other effects, plus small helpers every handler shares.
 */
import type { SchedulerState } from './state.js';
import type { Effect, JobSpec, Millis, Run, RunTrigger, StoreOp } from './types.js';

export interface Ctx {
  s: SchedulerState;
  now: Millis;
  storeOps: StoreOp[];
  effects: Effect[];
}

export const newCtx = (s: SchedulerState, now: Millis): Ctx => ({ s, now, storeOps: [], effects: [] });

export const emit = (ctx: Ctx, effect: Effect): void => {
  ctx.effects.push(effect);
};

export const persist = (ctx: Ctx, op: StoreOp): void => {
  ctx.storeOps.push(op);
};

export function log(ctx: Ctx, level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
  emit(ctx, { type: 'log', level, message, ...(fields ? { fields } : {}) });
}

/**
 * Record a run's new state durably and tell the world. Returns the snapshot both got: effects
 * are never changed once emitted, so one copy of the run serves them all (a burst copies a lot).
 */
export function saveRun(ctx: Ctx, run: Run): Run {
  const snapshot = { ...run };
  persist(ctx, { op: 'update-run', run: snapshot });
  emit(ctx, { type: 'publish', event: { kind: 'run', run: snapshot } });
  return snapshot;
}

/**
 * Run IDs sort by creation time: base-36 milliseconds, then a per-boot prefix and a
 * counter, so IDs from two boots (or two leaders) never collide.
 */
export function nextRunId(ctx: Ctx): string {
  const s = ctx.s;
  s.seq += 1;
  return `${ctx.now.toString(36).padStart(9, '0')}-${s.idPrefix}${s.seq.toString(36).padStart(5, '0')}`;
}

/** A new run of the job (queued, not yet claimed). */
export function newRun(
  ctx: Ctx,
  spec: JobSpec,
  fields: { trigger: RunTrigger; key?: string; scheduledAt: Millis; attempt?: number; rootId?: string; causes?: string[] },
): Run {
  const id = nextRunId(ctx);
  return {
    id,
    job: spec.name,
    key: fields.key ?? `${fields.trigger[0]}:${id}`,
    trigger: fields.trigger,
    scheduledAt: fields.scheduledAt,
    claimedAt: ctx.now,
    startedAt: null,
    finishedAt: null,
    attempt: fields.attempt ?? 1,
    status: 'queued',
    exitCode: null,
    reason: null,
    agent: null,
    taskId: null,
    rootId: fields.rootId ?? id,
    deadline: null,
    killReason: null,
    // A spec is replaced whole, never changed in place: its labels can be shared.
    labels: spec.labels,
    causes: fields.causes ?? [],
    late: false,
    usage: null,
  };
}

/** Ids for notices: the same scheme as run ids, so a replayed batch keeps them. */
export const nextNoticeId = (ctx: Ctx): string => `n${nextRunId(ctx)}`;

export const scheduleKey = (at: Millis): string => `s:${new Date(at).toISOString()}`;

export const specOf = (ctx: Ctx, job: string): JobSpec | null => ctx.s.jobs.get(job)?.stored.spec ?? null;
