/** A reusable, pure Mesos v1 framework core: see update.ts. */
export { frameworkUpdate } from './update.js';
export { newFrameworkState, frameworkInfo, subscribeCall, runningPlacement, viewOf } from './state.js';
export type { FrameworkState, Reconciliation, RestoredTask } from './state.js';
export { buildFrameworkInfo, ONE_WEEK_SECONDS } from './config.js';
export type { FrameworkConfig, Tuning } from './config.js';
export { TIMER_IMPLICIT, TIMER_RECONCILE } from './context.js';
export type { AckToken, AppTaskStatus, FrameworkEffect, FrameworkMessage, FrameworkView, LaunchRequest, LogLevel, Millis, TaskTemplate, TrackedTask } from './types.js';
