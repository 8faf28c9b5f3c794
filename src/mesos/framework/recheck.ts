/**
 * TASK_UNKNOWN from a master that does not know the task's agent (after a master failover,
 * before the agent re-registers: docs/mesos.md#task-unknown) means "possibly still running". Such a task
 * stays tracked and is reconciled again, 1 s after the first answer and then doubling up
 * to the configured maximum, until it reports another state or the application forgets it.
 */
import { TIMER_RECHECK, emit, send, type Ctx } from './context.js';
import type { TrackedTask } from './types.js';

/** After a task's state changed: start or stop rechecking it. */
export function noteTaskState(ctx: Ctx, task: TrackedTask): void {
  const s = ctx.s;
  if (task.state !== 'TASK_UNKNOWN' || task.terminal) {
    dropRecheck(ctx, task.taskId);
    return;
  }
  // Repeated answers keep the schedule: they are what the rechecks ask for.
  if (s.rechecks.has(task.taskId)) return;
  const delayMs = s.tuning.reconcileInitialMs;
  s.rechecks.set(task.taskId, { delayMs, at: ctx.now + delayMs });
  armRecheck(ctx);
}

export function dropRecheck(ctx: Ctx, taskId: string): void {
  if (ctx.s.rechecks.delete(taskId)) armRecheck(ctx);
}

/** The timer for the earliest recheck (none while disconnected: subscribing reconciles every task). */
export function armRecheck(ctx: Ctx): void {
  const ats = [...ctx.s.rechecks.values()].map((r) => r.at);
  if (ats.length === 0 || !ctx.s.connected) emit(ctx, { type: 'cancel-timer', name: TIMER_RECHECK });
  else emit(ctx, { type: 'set-timer', name: TIMER_RECHECK, at: Math.min(...ats) });
}

export function onRecheckTimer(ctx: Ctx): void {
  const s = ctx.s;
  if (!s.connected) return;
  const due = [...s.rechecks].filter(([, r]) => r.at <= ctx.now);
  if (due.length > 0) {
    const tasks = due.map(([taskId]) => {
      const agentId = s.tasks.get(taskId)?.agentId ?? null;
      return { task_id: { value: taskId }, ...(agentId !== null ? { agent_id: { value: agentId } } : {}) };
    });
    send(ctx, { type: 'RECONCILE', reconcile: { tasks } });
    for (const [, recheck] of due) {
      recheck.delayMs = Math.min(recheck.delayMs * 2, s.tuning.reconcileMaxMs);
      recheck.at = ctx.now + recheck.delayMs;
    }
  }
  armRecheck(ctx);
}
