/**
 * frameworkUpdate(state, message) -> effects: the framework's only decision point.
 * It MUTATES `state` in place and returns the effects for the shell to carry out, in
 * order (persist-framework-id before any call). Deterministic: no clock, no I/O; time
 * comes in messages.
 */
import { settleSuppression } from './answer-offers.js';
import { TIMER_IMPLICIT, TIMER_RECONCILE, log, type AnyState, type Ctx } from './context.js';
import { onEvent } from './events.js';
import { onImplicitTimer, onReconcileTimer } from './reconcile.js';
import { viewOf, type FrameworkState } from './state.js';
import { acknowledge } from './status.js';
import { onDisconnected, onSubscribed, onTeardown } from './subscription.js';
import { onForget, onKill, onLaunch } from './tasks.js';
import type { FrameworkEffect, FrameworkMessage } from './types.js';

export function frameworkUpdate<C, E>(state: FrameworkState<C, E>, message: FrameworkMessage<C>): (FrameworkEffect | E)[] {
  const s = state as unknown as AnyState;
  if (message.now !== undefined) s.now = Math.max(s.now, message.now);
  const ctx: Ctx = { s, now: s.now, effects: [] };
  switch (message.type) {
    case 'connected':
      onSubscribed(ctx, message.frameworkId);
      break;
    case 'disconnected':
      onDisconnected(ctx, message.reason);
      break;
    case 'event':
      onEvent(ctx, message.event);
      break;
    case 'timer':
      onTimer(ctx, state, message.name);
      break;
    case 'launch':
      onLaunch(ctx, message.request);
      break;
    case 'kill':
      onKill(ctx, message.taskId, message.gracePeriodMs ?? null);
      break;
    case 'forget':
      onForget(ctx, message.taskId);
      break;
    case 'acknowledge':
      acknowledge(ctx, message.ack);
      break;
    case 'teardown':
      onTeardown(ctx);
      break;
    case 'custom':
      if (state.config.onCustom) ctx.effects.push(...state.config.onCustom(viewOf(s), message.message));
      else log(ctx, 'warn', 'custom message without an onCustom hook');
      break;
  }
  settleSuppression(ctx);
  return ctx.effects as (FrameworkEffect | E)[];
}

function onTimer<C, E>(ctx: Ctx, state: FrameworkState<C, E>, name: string): void {
  if (name === TIMER_RECONCILE) onReconcileTimer(ctx);
  else if (name === TIMER_IMPLICIT) onImplicitTimer(ctx);
  else if (state.config.onTimer) ctx.effects.push(...state.config.onTimer(viewOf(ctx.s), name, ctx.now));
}
