/** What one frameworkUpdate() call accumulates, and helpers every handler shares. */
import type { Call } from '../types.js';
import type { Reaction } from './reactions.js';
import { viewOf, type FrameworkState } from './state.js';
import type { FrameworkEffect, FrameworkView, LogLevel, Millis } from './types.js';

export type AnyState = FrameworkState<unknown, unknown>;

export interface Ctx {
  s: AnyState;
  now: Millis;
  effects: FrameworkEffect<unknown>[];
  /**
   * Applies what a hook answered, in place and in order. update.ts provides it, so handlers
   * that call hooks need not import the handlers the reactions lead to.
   */
  react: (reactions: readonly Reaction<unknown>[]) => void;
}

export const emit = (ctx: Ctx, effect: FrameworkEffect<unknown>): void => {
  ctx.effects.push(effect);
};

export function log(ctx: Ctx, level: LogLevel, message: string, fields?: Record<string, unknown>): void {
  emit(ctx, { type: 'log', level, message, ...(fields ? { fields } : {}) });
}

/** Send a call with our framework id; nothing goes out while disconnected. */
export function send(ctx: Ctx, call: Omit<Call, 'framework_id'>): void {
  if (!ctx.s.connected || ctx.s.frameworkId === null) return;
  emit(ctx, { type: 'call', call: { ...call, framework_id: { value: ctx.s.frameworkId } } });
}

/** The view hooks are called with: read-only, over the live state. */
export const view = (ctx: Ctx): FrameworkView => viewOf(ctx.s);

/** Apply what a hook answered; `undefined` when the application has no such hook. */
export function reactTo(ctx: Ctx, reactions: readonly Reaction<unknown>[] | undefined): void {
  if (reactions) ctx.react(reactions);
}

export const TIMER_RECONCILE = 'mesos.reconcile';
export const TIMER_IMPLICIT = 'mesos.implicit-reconcile';
export const TIMER_RECHECK = 'mesos.recheck-unknown';
/** Timer names the framework keeps for itself. */
export const FRAMEWORK_TIMER_PREFIX = 'mesos.';
