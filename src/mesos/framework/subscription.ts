/** Subscription lifecycle: subscribed, disconnected, the master's errors, teardown. */
import { FRAMEWORK_FAILED_OVER, FRAMEWORK_REMOVED } from '../types.js';
import { emit, log, reactTo, send, view, type Ctx } from './context.js';
import { armRecheck } from './recheck.js';
import { armImplicit, startExplicit, stopReconciling } from './reconcile.js';
import { sendKill } from './tasks.js';

export function onSubscribed(ctx: Ctx, frameworkId: string): void {
  const s = ctx.s;
  // The runner may report one subscription twice (a `connected` message and the event).
  if (s.connected && s.frameworkId === frameworkId) return;
  s.connected = true;
  s.frameworkId = frameworkId;
  s.tornDown = false;
  s.unauthorizedLoggedAt = null;
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
  armRecheck(ctx);
  reactTo(ctx, s.config.onSubscribed?.(view(ctx)));
}

export function onDisconnected(ctx: Ctx, reason: string): void {
  if (!ctx.s.connected) return;
  ctx.s.connected = false;
  stopReconciling(ctx);
  log(ctx, 'warn', 'disconnected', { reason });
}

/**
 * "Framework failed over": another scheduler subscribed as this framework; stop, or the
 * two would take it from each other for ever. "Framework has been removed" (torn down, or
 * away longer than its failover timeout): its tasks are gone; subscribe as a new one.
 */
export function onMasterError(ctx: Ctx, message: string, fatal: boolean, status?: number): void {
  const s = ctx.s;
  if (status === 401) {
    onUnauthorized(ctx, message);
  } else if (message.includes(FRAMEWORK_FAILED_OVER)) {
    emit(ctx, { type: 'stop', reason: `Mesos: ${message}: another scheduler subscribed as framework ${s.frameworkId ?? '(none)'}` });
  } else if (message.includes(FRAMEWORK_REMOVED)) {
    log(ctx, 'error', `Mesos: ${message}; subscribing as a new framework (the old one's tasks were killed)`, { frameworkId: s.frameworkId });
    s.frameworkId = null;
    emit(ctx, { type: 'persist-framework-id', frameworkId: null });
  } else if (fatal) {
    emit(ctx, { type: 'stop', reason: `Mesos: ${message}` });
  } else {
    log(ctx, 'warn', `Mesos: ${message}`);
  }
}

/** How often a 401 that goes on is logged as an error; the attempts in between are logged at debug. */
export const UNAUTHORIZED_LOG_INTERVAL_MS = 60_000;

/**
 * Credentials missing or refused: retrying does not fix that by itself, but the operator may
 * fix the master's side, so the connection keeps trying with backoff. One clear error a
 * minute says so without filling the log.
 */
function onUnauthorized(ctx: Ctx, message: string): void {
  const s = ctx.s;
  if (s.unauthorizedLoggedAt !== null && ctx.now - s.unauthorizedLoggedAt < UNAUTHORIZED_LOG_INTERVAL_MS) {
    log(ctx, 'debug', `Mesos: ${message}`);
    return;
  }
  s.unauthorizedLoggedAt = ctx.now;
  log(ctx, 'error', `Mesos: ${message}; not subscribed, so nothing is launched: retrying with backoff (this error is repeated at most once a minute while it lasts)`);
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
  stopReconciling(ctx);
  emit(ctx, { type: 'persist-framework-id', frameworkId: null });
  log(ctx, 'warn', 'framework torn down');
}
