/**
 * SLA alerts: a run not started within `sla.lateAfter` of its scheduled time, or still running
 * after `sla.maxDuration`, is late: one `late` notice per run (`run.late` is stored, so a restart
 * or a new leader does not send it again), and its PagerDuty incident is resolved when it ends.
 * The timers are the core's own, so they are re-armed from the stored runs after a restart.
 */
import { saveRun, type Ctx } from './context.js';
import { notify } from './notices.js';
import type { Run } from './types.js';

const NOT_STARTED: ReadonlySet<Run['status']> = new Set(['waiting', 'queued', 'launching']);

/** Arm what applies to the run as it is now (claimed, started, or reloaded after a restart). */
export function armSla(ctx: Ctx, run: Run): void {
  const timing = ctx.s.jobs.get(run.job)?.timing;
  if (!timing || run.late) return;
  if (timing.lateAfterMs !== null && NOT_STARTED.has(run.status)) {
    ctx.s.timers.push({ at: run.scheduledAt + timing.lateAfterMs, kind: 'sla', runId: run.id, rule: 'lateAfter' });
  }
  if (timing.maxDurationMs !== null && run.status === 'running' && run.startedAt !== null) {
    ctx.s.timers.push({ at: run.startedAt + timing.maxDurationMs, kind: 'sla', runId: run.id, rule: 'maxDuration' });
  }
}

export function onSlaTimer(ctx: Ctx, runId: string, rule: 'lateAfter' | 'maxDuration'): void {
  const run = ctx.s.runs.get(runId);
  const entry = run && ctx.s.jobs.get(run.job);
  if (!run || !entry || run.late) return;
  const broken = rule === 'lateAfter' ? NOT_STARTED.has(run.status) : run.status === 'running';
  if (!broken) return;
  const limitMs = rule === 'lateAfter' ? entry.timing.lateAfterMs : entry.timing.maxDurationMs;
  if (limitMs === null) return;
  run.late = true;
  const snapshot = saveRun(ctx, run);
  notify(ctx, { kind: 'late', spec: entry.stored.spec, run: snapshot, sla: { rule, limitMs } });
}
