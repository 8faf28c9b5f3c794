/** What one frameworkUpdate() call accumulates, and helpers every handler shares. */
import type { Call } from '../types.js';
import type { FrameworkState } from './state.js';
import type { FrameworkEffect, LogLevel, Millis } from './types.js';

export type AnyState = FrameworkState<unknown, unknown>;

export interface Ctx {
  s: AnyState;
  now: Millis;
  effects: unknown[];
}

export const emit = (ctx: Ctx, effect: FrameworkEffect): void => {
  ctx.effects.push(effect);
};

export function log(ctx: Ctx, level: LogLevel, message: string, fields?: Record<string, unknown>): void {
  emit(ctx, { type: 'log', level, message, ...(fields ? { fields } : {}) });
}

/** Send a call with our framework id; nothing goes out while disconnected. */
export function send(ctx: Ctx, call: Omit<Call, 'framework_id'>): void {
  if (!ctx.s.connected || ctx.s.frameworkId === null) return;
  emit(ctx, { type: 'call', call: { ...call, framework_id: { value: ctx.s.frameworkId } } as Call });
}

export const TIMER_RECONCILE = 'mesos.reconcile';
export const TIMER_IMPLICIT = 'mesos.implicit-reconcile';
