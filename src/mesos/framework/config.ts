/** Framework configuration, its defaults, and the FrameworkInfo built from it. */
import type { Credentials } from '../client/credentials.js';
import type { FrameworkCapability, FrameworkInfo, Offer } from '../types.js';
import type { Reaction } from './reactions.js';
import type { FrameworkView, Millis, TaskLaunched, TaskNews } from './types.js';

/**
 * The application's hooks run inside frameworkUpdate(), after the framework has dealt with
 * what happened, with a read-only view of its state. They answer with reactions: commands
 * applied at once, and effects for the application's interpreter. Hooks stay pure.
 */
export interface FrameworkHooks<C, E> {
  /** The application's own messages (the runner's `post`). */
  onCustom?(view: FrameworkView, message: C): readonly Reaction<E>[];
  /** Timers the application set (names not starting with "mesos."). */
  onTimer?(view: FrameworkView, name: string, now: Millis): readonly Reaction<E>[];
  /** A new state of a task of ours (launched, adopted, or a pending request killed). */
  onTaskStatus?(view: FrameworkView, news: TaskNews): readonly Reaction<E>[];
  onTaskLaunched?(view: FrameworkView, launched: TaskLaunched): readonly Reaction<E>[];
  /** Each new subscription, after reconciliation has started. */
  onSubscribed?(view: FrameworkView): readonly Reaction<E>[];
  /** The first offer from an agent, before it is packed. */
  onAgentSeen?(view: FrameworkView, offer: Offer): readonly Reaction<E>[];
}

export interface FrameworkConfig<C = never, E = never> extends FrameworkHooks<C, E> {
  user: string;
  name: string;
  roles: string[];
  /** FrameworkInfo.principal; defaults to the credentials' principal (the master refuses any other with 400). */
  principal?: string;
  /**
   * HTTP Basic credentials for a master run with --authenticate_http_frameworks: sent with
   * SUBSCRIBE and every call. A 401 is logged (at most once a minute) and retried with backoff.
   */
  credentials?: Credentials;
  hostname?: string;
  webuiUrl?: string;
  labels?: Record<string, string>;
  /**
   * Declare GPU_RESOURCES from the first SUBSCRIBE (only then do GPU agents offer to the
   * framework). Without it, the first launch request that asks for gpus declares it.
   */
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
   * 'by-application': news is acknowledged when `onTaskStatus` (at once or later) returns
   * `acknowledge(news.ack)`, so an update that arrives just before a crash is delivered again
   * rather than lost; updates that are not news (repeats) are acknowledged at once.
   */
  acknowledge?: 'on-receipt' | 'by-application';
  /** Does an unknown task id belong to the application? Yes: adopt it; no: kill it. */
  isOurs(taskId: string): boolean;
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

const principalOf = (config: FrameworkConfig<unknown, unknown>): string | undefined => config.principal ?? config.credentials?.principal;

/** A configuration the master could never accept, or undefined. */
export function configProblem(config: FrameworkConfig<unknown, unknown>): string | undefined {
  const { principal, credentials } = config;
  if (principal !== undefined && credentials !== undefined && principal !== credentials.principal) {
    return `principal '${principal}' differs from the credentials' principal '${credentials.principal}': the master refuses such a SUBSCRIBE (400)`;
  }
  return undefined;
}

export function buildFrameworkInfo(config: FrameworkConfig<unknown, unknown>, frameworkId: string | null, gpuResources = config.gpuResources ?? false): FrameworkInfo {
  const capabilities: FrameworkCapability[] = ['MULTI_ROLE', 'PARTITION_AWARE', 'TASK_KILLING_STATE'];
  if (gpuResources) capabilities.push('GPU_RESOURCES');
  const labels = Object.entries(config.labels ?? {});
  return {
    user: config.user,
    name: config.name,
    ...(frameworkId !== null ? { id: { value: frameworkId } } : {}),
    roles: [...config.roles],
    capabilities: capabilities.map((type) => ({ type })),
    failover_timeout: config.failoverTimeoutSeconds ?? ONE_WEEK_SECONDS,
    checkpoint: true,
    ...(principalOf(config) !== undefined ? { principal: principalOf(config) } : {}),
    ...(config.hostname !== undefined ? { hostname: config.hostname } : {}),
    ...(config.webuiUrl !== undefined ? { webui_url: config.webuiUrl } : {}),
    ...(labels.length > 0 ? { labels: { labels: labels.map(([key, value]) => ({ key, value })) } } : {}),
  };
}
