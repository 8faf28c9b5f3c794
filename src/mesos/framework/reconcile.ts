/**
 * Task reconciliation (docs/mesos.md#reconciliation). Explicit: RECONCILE the tasks that have not
 * answered since it started, in rounds with truncated exponential backoff, one
 * reconciliation at a time. Implicit: an empty RECONCILE on a fixed period; the master
 * then reports every task it has, including ones we do not know.
 */
import { TIMER_IMPLICIT, TIMER_RECHECK, TIMER_RECONCILE, emit, log, send, type Ctx } from './context.js';

/** Start (or restart: a new one replaces the old) an explicit reconciliation of these tasks. */
export function startExplicit(ctx: Ctx, taskIds: readonly string[], blocksOffers: boolean): void {
  const s = ctx.s;
  if (taskIds.length === 0) {
    if (s.reconciliation) finish(ctx);
    return;
  }
  s.reconciliation = { remaining: new Set(taskIds), round: 1, delayMs: s.tuning.reconcileInitialMs, blocksOffers };
  sendRound(ctx);
}

function sendRound(ctx: Ctx): void {
  const r = ctx.s.reconciliation!;
  const tasks = [...r.remaining].map((id) => {
    const agentId = ctx.s.tasks.get(id)?.agentId ?? null;
    return { task_id: { value: id }, ...(agentId !== null ? { agent_id: { value: agentId } } : {}) };
  });
  send(ctx, { type: 'RECONCILE', reconcile: { tasks } });
  emit(ctx, { type: 'set-timer', name: TIMER_RECONCILE, at: ctx.now + r.delayMs });
  log(ctx, 'debug', 'reconciliation round', { round: r.round, tasks: tasks.length, nextInMs: r.delayMs });
}

export function onReconcileTimer(ctx: Ctx): void {
  const r = ctx.s.reconciliation;
  if (!r || !ctx.s.connected) return;
  r.round += 1;
  r.delayMs = Math.min(r.delayMs * 2, ctx.s.tuning.reconcileMaxMs);
  sendRound(ctx);
}

/** Any update (or forgetting the task) answers for it. */
export function noteAnswered(ctx: Ctx, taskId: string): void {
  const r = ctx.s.reconciliation;
  if (r && r.remaining.delete(taskId) && r.remaining.size === 0) finish(ctx);
}

function finish(ctx: Ctx): void {
  const r = ctx.s.reconciliation;
  ctx.s.reconciliation = null;
  emit(ctx, { type: 'cancel-timer', name: TIMER_RECONCILE });
  if (r) log(ctx, 'info', 'reconciliation complete', { rounds: r.round });
}

export function armImplicit(ctx: Ctx): void {
  emit(ctx, { type: 'set-timer', name: TIMER_IMPLICIT, at: ctx.now + ctx.s.tuning.implicitIntervalMs });
}

/**
 * The periodic pass: implicit RECONCILE, plus an explicit one (not blocking offers) for
 * tasks left UNREACHABLE, which implicit reconciliation does not report. UNKNOWN ones
 * have rechecks of their own (recheck.ts).
 */
export function onImplicitTimer(ctx: Ctx): void {
  if (!ctx.s.connected) return;
  send(ctx, { type: 'RECONCILE', reconcile: { tasks: [] } });
  if (!ctx.s.reconciliation) {
    const unreachable = [...ctx.s.tasks.values()].filter((t) => !t.terminal && t.state === 'TASK_UNREACHABLE').map((t) => t.taskId);
    startExplicit(ctx, unreachable, false);
  }
  armImplicit(ctx);
}

/** On disconnect or teardown: nothing can be sent, so no reconciliation is in flight any more. */
export function stopReconciling(ctx: Ctx): void {
  ctx.s.reconciliation = null;
  emit(ctx, { type: 'cancel-timer', name: TIMER_RECONCILE });
  emit(ctx, { type: 'cancel-timer', name: TIMER_IMPLICIT });
  emit(ctx, { type: 'cancel-timer', name: TIMER_RECHECK });
}
