/**
 * A reusable Mesos v1 framework: the pure reducer (update.ts) decides, the application
 * writes hooks that answer with reactions (reactions.ts), and one runner (runner.ts)
 * carries it all out.
 */
export { frameworkUpdate } from './update.js';
export { newFrameworkState, frameworkInfo, subscribeCall, runningPlacement, viewOf } from './state.js';
export type { FrameworkState, Reconciliation, Recheck, RestoredFramework, RestoredTask } from './state.js';
export { buildFrameworkInfo, configProblem, ONE_WEEK_SECONDS } from './config.js';
export { UNAUTHORIZED_LOG_INTERVAL_MS } from './subscription.js';
export type { FrameworkConfig, FrameworkHooks, Tuning } from './config.js';
export { TIMER_IMPLICIT, TIMER_RECHECK, TIMER_RECONCILE } from './context.js';
export { acknowledge, blacklist, cancelTimer, effect, forget, kill, launch, setTimer } from './reactions.js';
export type { Reaction } from './reactions.js';
export { FrameworkRunner } from './runner.js';
export type { LogEntry, RunnerOptions } from './runner.js';
export type {
  AckToken,
  AppTaskStatus,
  FrameworkCommand,
  FrameworkEffect,
  FrameworkMessage,
  FrameworkView,
  LaunchRequest,
  LogLevel,
  Millis,
  TaskLaunched,
  TaskNews,
  TaskTemplate,
  TrackedTask,
} from './types.js';
