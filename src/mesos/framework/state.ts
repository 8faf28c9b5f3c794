/**
 * The framework's protocol state: what it knows of its tasks, the launch requests not
 * yet placed, suppression and reconciliation. frameworkUpdate() mutates it in place.
 */
import type { PlacedTask } from '../offers/types.js';
import type { Call, FrameworkInfo, TaskState } from '../types.js';
import { buildFrameworkInfo, tuningOf, type FrameworkConfig, type Tuning } from './config.js';
import type { FrameworkView, LaunchRequest, Millis, TrackedTask } from './types.js';

export interface Reconciliation {
  /** Tasks with no update since this reconciliation started. */
  remaining: Set<string>;
  round: number;
  delayMs: Millis;
  /** After a subscription: decline offers until every task has answered. */
  blocksOffers: boolean;
}

/** When a task the master answered TASK_UNKNOWN for is asked about again. */
export interface Recheck {
  delayMs: Millis;
  at: Millis;
}

export interface FrameworkState<C = never, E = never> {
  config: FrameworkConfig<C, E>;
  tuning: Tuning;
  frameworkId: string | null;
  connected: boolean;
  now: Millis;
  tasks: Map<string, TrackedTask>;
  pending: Map<string, LaunchRequest>;
  /** Agent attributes (and hostname) from the offers seen, for constraints on running tasks. */
  agents: Map<string, Record<string, string>>;
  blacklist: Set<string>;
  /** GPU_RESOURCES is declared (or is to be, in the next SUBSCRIBE). */
  gpuResources: boolean;
  /** Offers are suppressed on the master (reset by every subscription). */
  suppressed: boolean;
  /** Offers were declined with the long filter since the last REVIVE. */
  declinedSinceRevive: boolean;
  /** Launch requests arrived, or the blacklist changed, since suppression was last settled. */
  demandChanged: boolean;
  reconciliation: Reconciliation | null;
  /** Tasks the master does not know (TASK_UNKNOWN), reconciled again with backoff. */
  rechecks: Map<string, Recheck>;
  /** TEARDOWN asked for while disconnected: sent on the next subscription. */
  teardownPending: boolean;
  tornDown: boolean;
  /** Update uuid → task id, for updates the application is to acknowledge (`acknowledge: 'by-application'`). */
  awaitingAck: Map<string, string>;
  /** When a 401 to SUBSCRIBE was last logged as an error; null since the last subscription. */
  unauthorizedLoggedAt: Millis | null;
}

/** What the application knew before a restart, so it is reconciled and not killed. */
export interface RestoredTask {
  taskId: string;
  group?: string;
  agentId?: string;
  hostname?: string;
  state?: TaskState;
  /** Its command may have run (it was reported running). */
  started?: boolean;
}

export interface RestoredFramework {
  frameworkId?: string | null;
  tasks?: readonly RestoredTask[];
  blacklist?: readonly string[];
}

export function newFrameworkState<C = never, E = never>(config: FrameworkConfig<C, E>, restored: RestoredFramework = {}): FrameworkState<C, E> {
  const tasks = new Map<string, TrackedTask>();
  for (const t of restored.tasks ?? []) {
    tasks.set(t.taskId, {
      taskId: t.taskId,
      group: t.group ?? null,
      agentId: t.agentId ?? null,
      hostname: t.hostname ?? null,
      state: t.state ?? 'TASK_STAGING',
      healthy: null,
      confirmed: t.state !== undefined,
      started: t.started ?? false,
      terminal: false,
      kill: null,
    });
  }
  return {
    config,
    tuning: tuningOf(config as FrameworkConfig<unknown, unknown>),
    frameworkId: restored.frameworkId ?? null,
    connected: false,
    now: 0,
    tasks,
    pending: new Map(),
    agents: new Map(),
    blacklist: new Set(restored.blacklist ?? []),
    gpuResources: config.gpuResources ?? false,
    suppressed: false,
    declinedSinceRevive: false,
    demandChanged: false,
    reconciliation: null,
    rechecks: new Map(),
    teardownPending: false,
    tornDown: false,
    awaitingAck: new Map(),
    unauthorizedLoggedAt: null,
  };
}

export const viewOf = (s: FrameworkState<unknown, unknown>): FrameworkView => ({
  frameworkId: s.frameworkId,
  connected: s.connected,
  now: s.now,
  tasks: s.tasks,
  pending: s.pending,
  agents: s.agents,
  blacklist: s.blacklist,
  suppressed: s.suppressed,
  reconciling: s.reconciliation !== null,
  gpuResources: s.gpuResources,
});

/** The FrameworkInfo for the next (re)subscription or UPDATE_FRAMEWORK, with the id when there is one. */
export const frameworkInfo = (s: FrameworkState<unknown, unknown>): FrameworkInfo =>
  buildFrameworkInfo(s.config as FrameworkConfig<unknown, unknown>, s.frameworkId, s.gpuResources);

/** The SUBSCRIBE call for each (re)connection: the id goes in both places. */
export function subscribeCall(s: FrameworkState<unknown, unknown>): Call {
  return {
    type: 'SUBSCRIBE',
    ...(s.frameworkId !== null ? { framework_id: { value: s.frameworkId } } : {}),
    subscribe: { framework_info: frameworkInfo(s) },
  };
}

/** Non-terminal tasks on agents whose attributes are known, for the packer's constraints. */
export function runningPlacement(s: FrameworkState<unknown, unknown>): PlacedTask[] {
  const out: PlacedTask[] = [];
  for (const t of s.tasks.values()) {
    if (t.terminal || t.group === null || t.agentId === null) continue;
    const attributes = s.agents.get(t.agentId);
    if (attributes) out.push({ group: t.group, agentId: t.agentId, attributes });
  }
  return out;
}
