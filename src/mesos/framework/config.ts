/** Framework configuration, its defaults, and the FrameworkInfo built from it. */
import type { FrameworkCapability, FrameworkInfo } from '../types.js';
import type { FrameworkEffect, FrameworkView, Millis } from './types.js';

export interface FrameworkConfig<C = never, E = never> {
  user: string;
  name: string;
  roles: string[];
  principal?: string;
  hostname?: string;
  webuiUrl?: string;
  labels?: Record<string, string>;
  /** Declare GPU_RESOURCES (only then do GPU agents offer to the framework). */
  gpuResources?: boolean;
  /** Seconds the master keeps tasks after the framework disconnects; default one week. */
  failoverTimeoutSeconds?: number;
  reconcile?: {
    /** First wait between explicit rounds (default 1 s), doubling up to maxDelayMs (default 60 s). */
    initialDelayMs?: Millis;
    maxDelayMs?: Millis;
    /** Implicit reconciliation period (default 15 min). */
    implicitIntervalMs?: Millis;
  };
  refuseSeconds?: {
    /** For what an ACCEPT leaves unused (default 1). */
    afterLaunch?: number;
    /** For offers nothing can use (default 3600; REVIVE clears it when work appears). */
    unusable?: number;
    /** For offers declined while reconciling after a subscription (default 1). */
    whileReconciling?: number;
  };
  /**
   * When status updates are acknowledged. 'on-receipt' (the default): as they arrive.
   * 'by-application': an update the application is told of waits for its `acknowledge`
   * message, so one that arrives just before a crash is delivered again rather than lost;
   * updates it is not told of (repeats, tasks it has forgotten) are acknowledged at once.
   */
  acknowledge?: 'on-receipt' | 'by-application';
  /** Does an unknown task id belong to the application? Yes: adopt it; no: kill it. */
  isOurs(taskId: string): boolean;
  /** The author's own messages, with read-only access to the framework's state. */
  onCustom?(view: FrameworkView, message: C): (FrameworkEffect | E)[];
  /** Timers the author set (names not starting with "mesos."). */
  onTimer?(view: FrameworkView, name: string, now: Millis): (FrameworkEffect | E)[];
}

export interface Tuning {
  reconcileInitialMs: Millis;
  reconcileMaxMs: Millis;
  implicitIntervalMs: Millis;
  refuseAfterLaunch: number;
  refuseUnusable: number;
  refuseWhileReconciling: number;
}

export const ONE_WEEK_SECONDS = 604_800;

export function tuningOf(config: FrameworkConfig<unknown, unknown>): Tuning {
  return {
    reconcileInitialMs: config.reconcile?.initialDelayMs ?? 1_000,
    reconcileMaxMs: config.reconcile?.maxDelayMs ?? 60_000,
    implicitIntervalMs: config.reconcile?.implicitIntervalMs ?? 15 * 60_000,
    refuseAfterLaunch: config.refuseSeconds?.afterLaunch ?? 1,
    refuseUnusable: config.refuseSeconds?.unusable ?? 3600,
    refuseWhileReconciling: config.refuseSeconds?.whileReconciling ?? 1,
  };
}

export function buildFrameworkInfo(config: FrameworkConfig<unknown, unknown>, frameworkId: string | null): FrameworkInfo {
  const capabilities: FrameworkCapability[] = ['MULTI_ROLE', 'PARTITION_AWARE', 'TASK_KILLING_STATE'];
  if (config.gpuResources) capabilities.push('GPU_RESOURCES');
  const labels = Object.entries(config.labels ?? {});
  return {
    user: config.user,
    name: config.name,
    ...(frameworkId !== null ? { id: { value: frameworkId } } : {}),
    roles: [...config.roles],
    capabilities: capabilities.map((type) => ({ type })),
    failover_timeout: config.failoverTimeoutSeconds ?? ONE_WEEK_SECONDS,
    checkpoint: true,
    ...(config.principal !== undefined ? { principal: config.principal } : {}),
    ...(config.hostname !== undefined ? { hostname: config.hostname } : {}),
    ...(config.webuiUrl !== undefined ? { webui_url: config.webuiUrl } : {}),
    ...(labels.length > 0 ? { labels: { labels: labels.map(([key, value]) => ({ key, value })) } } : {}),
  };
}
