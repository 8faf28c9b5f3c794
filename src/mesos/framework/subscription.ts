/** Subscription lifecycle: subscribed, disconnected, teardown. */
import { TIMER_IMPLICIT, TIMER_RECONCILE, emit, log, send, type Ctx } from './context.js';
import { armImplicit, startExplicit, stopReconciling } from './reconcile.js';
import { sendKill } from './tasks.js';

export function onSubscribed(ctx: Ctx, frameworkId: string): void {
  const s = ctx.s;
  // The shell may report one subscription twice (a `connected` message and the event).
  if (s.connected && s.frameworkId === frameworkId) return;
  s.connected = true;
  s.frameworkId = frameworkId;
  s.tornDown = false;
  // The master forgets suppression on every subscription; settleSuppression re-sends it.
  s.suppressed = false;
  emit(ctx, { type: 'persist-framework-id', frameworkId });
  log(ctx, 'info', 'subscribed', { frameworkId });
  if (s.teardownPending) {
    tearDown(ctx);
    return;
  }
  const live = [...s.tasks.values()].filter((t) => !t.terminal);
  startExplicit(ctx, live.map((t) => t.taskId), true);
  for (const task of live) if (task.kill) sendKill(ctx, task);
  armImplicit(ctx);
}

export function onDisconnected(ctx: Ctx, reason: string): void {
  if (!ctx.s.connected) return;
  ctx.s.connected = false;
  stopReconciling(ctx);
  log(ctx, 'warn', 'disconnected', { reason });
}

export function onTeardown(ctx: Ctx): void {
  if (ctx.s.tornDown) return;
  if (ctx.s.connected) tearDown(ctx);
  else {
    ctx.s.teardownPending = true;
    log(ctx, 'warn', 'teardown deferred until subscribed');
  }
}

/** TEARDOWN ends the framework for good: the master kills its tasks and forgets its id. */
function tearDown(ctx: Ctx): void {
  const s = ctx.s;
  send(ctx, { type: 'TEARDOWN' });
  s.connected = false;
  s.frameworkId = null;
  s.teardownPending = false;
  s.tornDown = true;
  s.reconciliation = null;
  emit(ctx, { type: 'cancel-timer', name: TIMER_RECONCILE });
  emit(ctx, { type: 'cancel-timer', name: TIMER_IMPLICIT });
  emit(ctx, { type: 'persist-framework-id', frameworkId: null });
  log(ctx, 'warn', 'framework torn down');
}
