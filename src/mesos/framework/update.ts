/**
 * frameworkUpdate(state, message) -> effects: the framework's only decision point.
 * It MUTATES `state` in place and returns the effects for the runner to carry out, in
 * order (persist-framework-id before any call). What the application's hooks answer is
 * applied within the same call, so the application never re-enters the reducer.
 * Deterministic: no clock, no I/O; time comes in messages.
 */
import { settleSuppression } from './answer-offers.js';
import { FRAMEWORK_TIMER_PREFIX, TIMER_IMPLICIT, TIMER_RECHECK, TIMER_RECONCILE, emit, log, reactTo, view, type AnyState, type Ctx } from './context.js';
import { onEvent } from './events.js';
import type { Reaction } from './reactions.js';
import { onRecheckTimer } from './recheck.js';
import { onImplicitTimer, onReconcileTimer } from './reconcile.js';
import type { FrameworkState } from './state.js';
import { onAcknowledge } from './status.js';
import { onDisconnected, onMasterError, onSubscribed, onTeardown } from './subscription.js';
import { onBlacklist, onForget, onKill, onLaunch } from './tasks.js';
import type { FrameworkCommand, FrameworkEffect, FrameworkMessage } from './types.js';

export function frameworkUpdate<C, E>(state: FrameworkState<C, E>, message: FrameworkMessage<C>): FrameworkEffect<E>[] {
  const s = state as unknown as AnyState;
  if (message.now !== undefined) s.now = Math.max(s.now, message.now);
  const ctx: Ctx = { s, now: s.now, effects: [], react: (reactions) => applyReactions(ctx, reactions) };
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
    case 'master-error':
      onMasterError(ctx, message.message, message.fatal, message.status);
      break;
    case 'timer':
      onTimer(ctx, message.name);
      break;
    case 'custom':
      if (s.config.onCustom) reactTo(ctx, s.config.onCustom(view(ctx), message.message));
      else log(ctx, 'warn', 'custom message without an onCustom hook');
      break;
    default:
      onCommand(ctx, message);
  }
  settleSuppression(ctx);
  // Only `app` effects carry the application's type; the state's hooks are typed with it.
  return ctx.effects as FrameworkEffect<E>[];
}

function onCommand(ctx: Ctx, command: FrameworkCommand): void {
  switch (command.type) {
    case 'launch':
      return onLaunch(ctx, command.request);
    case 'kill':
      return onKill(ctx, command.taskId, command.gracePeriodMs ?? null);
    case 'forget':
      return onForget(ctx, command.taskId);
    case 'acknowledge':
      return onAcknowledge(ctx, command.ack);
    case 'blacklist':
      return onBlacklist(ctx, command.agents);
    case 'teardown':
      return onTeardown(ctx);
  }
}

function applyReactions(ctx: Ctx, reactions: readonly Reaction<unknown>[]): void {
  for (const reaction of reactions) {
    switch (reaction.type) {
      case 'set-timer':
      case 'cancel-timer':
        if (reaction.name.startsWith(FRAMEWORK_TIMER_PREFIX)) log(ctx, 'error', 'timer names starting with "mesos." are the framework\'s; ignored', { name: reaction.name });
        else emit(ctx, reaction);
        break;
      case 'app':
        emit(ctx, reaction);
        break;
      default:
        onCommand(ctx, reaction);
    }
  }
}

function onTimer(ctx: Ctx, name: string): void {
  if (name === TIMER_RECONCILE) onReconcileTimer(ctx);
  else if (name === TIMER_IMPLICIT) onImplicitTimer(ctx);
  else if (name === TIMER_RECHECK) onRecheckTimer(ctx);
  else reactTo(ctx, ctx.s.config.onTimer?.(view(ctx), name, ctx.now));
}
