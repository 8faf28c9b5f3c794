/**
 * When a job's time comes: decide which occurrences run (misfire policy), apply the
 * concurrency policy, claim them and move the job's cursor, all in one store batch.
 */
import { emit, newRun, persist, scheduleKey, type Ctx } from './context.js';
import { iso, planOccurrences } from './misfire.js';
import { claim } from './claims.js';
import { gateOccurrence } from './dependencies.js';
import { stop } from './runs.js';
import { eligibleAgents, type JobEntry } from './state.js';
import type { Millis, Run } from './types.js';

export function fire(ctx: Ctx, entry: JobEntry): void {
  if (entry.schedule === null || entry.nextDue === null) return;
  const spec = entry.stored.spec;
  const plan = planOccurrences({
    schedule: entry.schedule,
    firstDue: entry.nextDue,
    now: ctx.now,
    policy: spec.misfire.policy,
    windowMs: entry.timing.misfireWindowMs,
    thresholdMs: ctx.s.config.misfireThresholdMs,
  });

  if (plan.missed) {
    const m = plan.missed;
    const count = `${m.count}${m.countIsLowerBound ? '+' : ''}`;
    const span = m.first === m.last ? iso(m.first) : `${iso(m.first)} to ${iso(m.last)}`;
    skipOccurrence(ctx, entry, m.first, `missed ${count} occurrence(s), ${span} (${m.why})`);
  }
  // forbid looks at runs from before this fire; the runs it starts now queue behind each other.
  const activeBefore = activeRuns(ctx, entry);
  for (const occurrence of plan.run) {
    startOccurrence(ctx, entry, occurrence.at, occurrence.note, activeBefore);
  }

  entry.stored.cursor = plan.cursor;
  persist(ctx, { op: 'set-cursor', job: spec.name, cursor: plan.cursor });
  scheduleNext(ctx, entry, plan.next);
}

const activeRuns = (ctx: Ctx, entry: JobEntry): Run[] => [...entry.active].flatMap((id) => ctx.s.runs.get(id) ?? []);

function startOccurrence(ctx: Ctx, entry: JobEntry, at: Millis, catchUpNote: string | null, activeBefore: Run[]): void {
  if (entry.stored.spec.placement !== 'every-agent') {
    startOne(ctx, entry, at, catchUpNote, activeBefore, null);
    return;
  }
  const agents = eligibleAgents(ctx.s);
  if (agents.length === 0) {
    skipOccurrence(ctx, entry, at, 'no eligible agent to run on (placement: every-agent)');
    return;
  }
  for (const agent of agents) startOne(ctx, entry, at, catchUpNote, activeBefore.filter((r) => r.agent === agent), agent);
}

/**
 * One run of an occurrence; `agent` pins it (every-agent jobs get one run per agent). forbid
 * skips an occurrence only when it came due while this scheduler watched the earlier run; a
 * catch-up, or one that came due while no scheduler was running, queues behind it.
 */
function startOne(ctx: Ctx, entry: JobEntry, at: Millis, catchUpNote: string | null, activeBefore: Run[], agent: string | null): void {
  const spec = entry.stored.spec;
  const key = agent === null ? scheduleKey(at) : `${scheduleKey(at)}@${agent}`;
  const blocker = spec.concurrency === 'forbid' ? activeBefore.find((r) => entry.active.has(r.id)) : undefined;
  const cameDueWhileDown = at < ctx.s.bootedAt;
  if (blocker && catchUpNote === null && !cameDueWhileDown) {
    skipOccurrence(ctx, entry, at, `run ${blocker.id} is still ${blocker.status} (concurrency: forbid)`, key);
    return;
  }
  const run = newRun(ctx, spec, { trigger: 'schedule', key, scheduledAt: at });
  run.agent = agent;
  if (spec.concurrency === 'replace') {
    for (const old of activeRuns(ctx, entry)) if (agent === null || old.agent === agent) stop(ctx, old, `replaced by run ${run.id}`);
  }
  run.reason = catchUpNote ?? (blocker ? `came due while no scheduler was running; waits for run ${blocker.id} (concurrency: forbid)` : null);
  if (spec.after.length > 0) gateOccurrence(ctx, entry, run);
  claim(ctx, run);
}

function skipOccurrence(ctx: Ctx, entry: JobEntry, at: Millis, reason: string, key = scheduleKey(at)): void {
  const run = newRun(ctx, entry.stored.spec, { trigger: 'schedule', key, scheduledAt: at });
  run.status = 'skipped';
  run.reason = reason;
  run.finishedAt = ctx.now;
  claim(ctx, run);
  ctx.s.toPrune.add(run.job);
}

/** Set the job's next due time and its timer; null when paused, unscheduled or ended. */
export function scheduleNext(ctx: Ctx, entry: JobEntry, next: Millis | null): void {
  entry.nextDue = entry.stored.spec.paused ? null : next;
  if (entry.nextDue !== null) ctx.s.timers.push({ at: entry.nextDue, kind: 'job', job: entry.stored.spec.name });
}

/** Recompute the next occurrence from the cursor (after boot, create, change or resume). */
export function rescheduleFromCursor(ctx: Ctx, entry: JobEntry): void {
  const from = entry.stored.cursor ?? entry.stored.createdAt;
  scheduleNext(ctx, entry, entry.schedule?.next(from) ?? null);
}

export const announceJob = (ctx: Ctx, job: string, action: 'put' | 'deleted' | 'paused' | 'resumed'): void =>
  emit(ctx, { type: 'publish', event: { kind: 'job', action, job } });
