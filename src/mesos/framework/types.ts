/**
 * Messages into and effects out of the framework reducer. The reducer speaks the Mesos v1
 * scheduler protocol for one framework and knows nothing of the application: the
 * application asks for launches and kills (commands), and learns what became of its tasks
 * in hooks (config.ts) that answer with reactions (reactions.ts).
 */
import type { TaskRequest } from '../offers/types.js';
import type { Call, Event, TaskInfo, TaskSource, TaskState, TaskStatus } from '../types.js';

export type Millis = number;

/** A TaskInfo without what the framework fills in from the offer and the request. */
export type TaskTemplate = Omit<TaskInfo, 'task_id' | 'agent_id' | 'resources'>;

export interface LaunchRequest extends TaskRequest {
  taskInfo: TaskTemplate;
}

/** What an ACKNOWLEDGE of one status update names. */
export interface AckToken {
  agentId: string;
  taskId: string;
  /** The update's uuid, base64 as it came. */
  uuid: string;
}

/** What the application asks of the framework: sent as messages, or returned by hooks as reactions. */
export type FrameworkCommand =
  /** Queue a task until an offer fits it. Asking for gpus declares GPU_RESOURCES. */
  | { type: 'launch'; request: LaunchRequest }
  /** KILL it (re-sent after each subscription, and when it reappears, until it ends); drop it if still pending. */
  | { type: 'kill'; taskId: string; gracePeriodMs?: Millis }
  /** Stop tracking a task: no more reconciliation, kills or news of it (it counts as unknown then). */
  | { type: 'forget'; taskId: string }
  /** With `acknowledge: 'by-application'`: the update behind this token is durable; acknowledge it. */
  | { type: 'acknowledge'; ack: AckToken }
  /** The agents nothing may be placed on, whatever a request says; replaces the previous list. */
  | { type: 'blacklist'; agents: readonly string[] }
  /** TEARDOWN: the master kills every task and forgets the framework. */
  | { type: 'teardown' };

/** `custom` carries the application's own messages (type C) to `config.onCustom`. */
export type FrameworkMessage<C = never> =
  /** The subscription is up (the runner's word for the SUBSCRIBED event; either is handled once). */
  | { type: 'connected'; frameworkId: string; now: Millis }
  | { type: 'disconnected'; now: Millis; reason: string }
  | { type: 'event'; event: Event; now: Millis }
  /**
   * The master's ERROR event, or a failure to subscribe; `fatal`: the connection has stopped
   * for good. `status`: the HTTP status when the master answered SUBSCRIBE with one (401: credentials).
   */
  | { type: 'master-error'; message: string; fatal: boolean; status?: number; now: Millis }
  | { type: 'timer'; name: string; now: Millis }
  | { type: 'custom'; message: C; now?: Millis }
  | (FrameworkCommand & { now?: Millis });

/** Statuses the framework makes up itself (a pending request killed) say SOURCE_FRAMEWORK. */
export type AppTaskStatus = Omit<TaskStatus, 'source'> & { source?: TaskSource | 'SOURCE_FRAMEWORK' };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What the reducer asks the runner to do, in order. `app` carries the application's own effects (type E). */
export type FrameworkEffect<E = never> =
  /** Send this call (the runner adds the Mesos-Stream-Id header) once the framework ID is durable. */
  | { type: 'call'; call: Call }
  /** Store durably before any later call is sent; null once the id is dead (teardown, removal). */
  | { type: 'persist-framework-id'; frameworkId: string | null }
  /** Send `timer {name}` at `at`, replacing any timer of that name. */
  | { type: 'set-timer'; name: string; at: Millis }
  | { type: 'cancel-timer'; name: string }
  | { type: 'log'; level: LogLevel; message: string; fields?: Record<string, unknown> }
  /** Stop the runner for good: another scheduler took the framework over, or the master refused it. */
  | { type: 'stop'; reason: string }
  | { type: 'app'; effect: E };

/** A new state of a task, as `config.onTaskStatus` hears it (once per state; repeats are not news). */
export interface TaskNews {
  taskId: string;
  status: AppTaskStatus;
  terminal: boolean;
  /** It reached STARTING, RUNNING or KILLING, or went UNREACHABLE: its command may have run. */
  started: boolean;
  /** The agent it was launched on or reported from; null if it never was on one. */
  agentId: string | null;
  /**
   * Set with `acknowledge: 'by-application'` when the update needs an ACKNOWLEDGE: return (or
   * later send) `acknowledge(ack)` once the news is durable. Until then the agent re-sends it
   * and holds back the task's next update.
   */
  ack: AckToken | null;
}

/** A task placed in an offer and sent to its agent. */
export interface TaskLaunched {
  taskId: string;
  agentId: string;
  hostname: string;
  offerId: string;
  ports: number[];
}

export interface TrackedTask {
  taskId: string;
  /** Constraint group; null for adopted tasks the application did not describe. */
  group: string | null;
  agentId: string | null;
  hostname: string | null;
  /** Last state reported; TASK_STAGING from launch until the first update. */
  state: TaskState;
  healthy: boolean | null;
  /** Has any update arrived since the launch? */
  confirmed: boolean;
  /** See TaskNews.started. */
  started: boolean;
  /** Ended; it is forgotten once its last update is acknowledged. */
  terminal: boolean;
  /** A kill was asked for (re-sent after every subscription until the task ends). */
  kill: { gracePeriodMs: Millis | null } | null;
}

/** Read-only access for the application's hooks (and its API). */
export interface FrameworkView {
  readonly frameworkId: string | null;
  readonly connected: boolean;
  readonly now: Millis;
  readonly tasks: ReadonlyMap<string, Readonly<TrackedTask>>;
  readonly pending: ReadonlyMap<string, Readonly<LaunchRequest>>;
  /** Agents seen in offers, with their attributes (and `hostname`). */
  readonly agents: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly blacklist: ReadonlySet<string>;
  readonly suppressed: boolean;
  readonly reconciling: boolean;
  readonly gpuResources: boolean;
}
