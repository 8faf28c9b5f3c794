/**
 * Driving the pure framework reducer in tests: scripted messages with fake time, offers
 * and updates in the master's shape, and the application's hooks recording what they hear
 * as `app` effects.
 */
import assert from 'node:assert/strict';
import { effect, frameworkUpdate, newFrameworkState, type FrameworkConfig, type FrameworkEffect, type FrameworkMessage, type FrameworkState, type LaunchRequest, type RestoredFramework, type TaskLaunched, type TaskNews } from '../../src/mesos/framework/index.js';
import type { Call, Event, Offer, TaskState, TaskStatus } from '../../src/mesos/types.js';

export type Custom = { kind: 'ping'; n: number };
export type AppEffect = { type: 'news'; news: TaskNews } | { type: 'launched'; launched: TaskLaunched } | { type: 'pong'; n: number; tasks: number };
export type Effect = FrameworkEffect<AppEffect>;
export type State = FrameworkState<Custom, AppEffect>;
export type Config = FrameworkConfig<Custom, AppEffect>;

export const T0 = 1_000_000;
export const FID = 'fw-0001';
export const UUID = 'PyuMHppNTm+LIXxdDp+hIw==';

/** Hooks that tell the test everything: each news and launch comes out as an app effect. */
export function setup(over: Partial<Config> = {}, restored: RestoredFramework = {}): State {
  return newFrameworkState<Custom, AppEffect>(
    {
      user: 'cron',
      name: 'moroccron-test',
      roles: ['cron'],
      isOurs: (id) => id.startsWith('ours-'),
      onTaskStatus: (_view, news) => [effect<AppEffect>({ type: 'news', news })],
      onTaskLaunched: (_view, launched) => [effect<AppEffect>({ type: 'launched', launched })],
      ...over,
    },
    { frameworkId: null, ...restored },
  );
}

export const run = (s: State, m: FrameworkMessage<Custom>): Effect[] => frameworkUpdate(s, m);
export const ev = (s: State, event: Event, now = s.now): Effect[] => run(s, { type: 'event', event, now });
export const subscribed = (s: State, now = T0, id = FID): Effect[] => ev(s, { type: 'SUBSCRIBED', subscribed: { framework_id: { value: id }, heartbeat_interval_seconds: 15 } }, now);
export const timer = (s: State, name: string, now: number): Effect[] => run(s, { type: 'timer', name, now });
export const offers = (s: State, list: Offer[], now = s.now): Effect[] => ev(s, { type: 'OFFERS', offers: { offers: list } }, now);
export function update(s: State, status: Partial<TaskStatus> & { id: string; state: TaskState }, now = s.now): Effect[] {
  const { id, ...rest } = status;
  return ev(s, { type: 'UPDATE', update: { status: { task_id: { value: id }, ...rest } } }, now);
}

export const callsOf = (effects: Effect[]): Call[] => effects.flatMap((e) => (e.type === 'call' ? [e.call] : []));
export const callTypes = (effects: Effect[]): string[] => callsOf(effects).map((c) => c.type);
export const only = <K extends Effect['type']>(effects: Effect[], type: K): Extract<Effect, { type: K }>[] =>
  effects.filter((e): e is Extract<Effect, { type: K }> => e.type === type);
export const appEffects = (effects: Effect[]): AppEffect[] => only(effects, 'app').map((e) => e.effect);
export const newsOf = (effects: Effect[]): TaskNews[] => appEffects(effects).flatMap((e) => (e.type === 'news' ? [e.news] : []));
export const launchedOf = (effects: Effect[]): TaskLaunched[] => appEffects(effects).flatMap((e) => (e.type === 'launched' ? [e.launched] : []));
export const statuses = (effects: Effect[]): [string, TaskState, boolean][] => newsOf(effects).map((n) => [n.taskId, n.status.state, n.terminal]);

export function offer(id: string, agent = 'a1', cpus = 4, extra: { gpus?: number; hostname?: string } = {}): Offer {
  const alloc = { allocation_info: { role: 'cron' } };
  return {
    id: { value: id },
    framework_id: { value: FID },
    agent_id: { value: agent },
    hostname: extra.hostname ?? `${agent}.example`,
    ...alloc,
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: cpus }, ...alloc },
      { name: 'mem', type: 'SCALAR', scalar: { value: 4096 }, ...alloc },
      ...(extra.gpus ? [{ name: 'gpus', type: 'SCALAR' as const, scalar: { value: extra.gpus }, ...alloc }] : []),
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31010 }] }, ...alloc },
    ],
  };
}

export function request(taskId: string, over: Partial<LaunchRequest> = {}): LaunchRequest {
  return {
    taskId,
    group: 'job',
    resources: { cpus: 1, mem: 128, disk: 0, gpus: 0, ports: 0 },
    constraints: [],
    priority: 0,
    dueAt: 0,
    taskInfo: { name: taskId, command: { shell: true, value: 'true' } },
    ...over,
  };
}

export const launch = (taskId: string, over: Partial<LaunchRequest> = {}): FrameworkMessage<Custom> => ({ type: 'launch', request: request(taskId, over) });

/** Subscribed, nothing to reconcile, offers suppressed. */
export function ready(over: Partial<Config> = {}, restored: RestoredFramework = {}): State {
  const s = setup(over, restored);
  subscribed(s);
  assert.equal(s.suppressed, true);
  return s;
}

/** A task launched on a1 and running. */
export function withRunning(taskId = 't1', over: Partial<Config> = {}): State {
  const s = ready(over);
  run(s, launch(taskId));
  offers(s, [offer('o1')]);
  update(s, { id: taskId, state: 'TASK_RUNNING', agent_id: { value: 'a1' }, uuid: UUID });
  return s;
}
