/**
 * Messages into and effects out of the framework reducer. The reducer speaks the
 * Mesos v1 scheduler protocol for one framework and knows nothing of the application:
 * the application sends launch/kill requests and receives task statuses.
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

/** `custom` carries the author's own messages (type C) to `config.onCustom`. */
export type FrameworkMessage<C = never> =
  /** The subscription is up (same as a SUBSCRIBED event; either may be sent, it is handled once). */
  | { type: 'connected'; frameworkId: string; now: Millis }
  | { type: 'disconnected'; now: Millis; reason: string }
  | { type: 'event'; event: Event; now: Millis }
  | { type: 'timer'; name: string; now: Millis }
  | { type: 'launch'; request: LaunchRequest; now?: Millis }
  | { type: 'kill'; taskId: string; gracePeriodMs?: Millis; now?: Millis }
  /** Stop tracking a task (after the application has dealt with its terminal status). */
  | { type: 'forget'; taskId: string; now?: Millis }
  /** With `acknowledge: 'by-application'`: the update behind this token is durable; acknowledge it. */
  | { type: 'acknowledge'; ack: AckToken; now?: Millis }
  | { type: 'teardown'; now?: Millis }
  | { type: 'custom'; message: C; now?: Millis };

/** Statuses the framework makes up itself (a pending request killed) say SOURCE_FRAMEWORK. */
export type AppTaskStatus = Omit<TaskStatus, 'source'> & { source?: TaskSource | 'SOURCE_FRAMEWORK' };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type FrameworkEffect =
  /** Send this call; the shell adds the Mesos-Stream-Id header. */
  | { type: 'call'; call: Call }
  /** Store durably before anything else; null after a teardown (the id is dead). */
  | { type: 'persist-framework-id'; frameworkId: string | null }
  /** Send `timer {name}` at `at`, replacing any timer of that name. */
  | { type: 'set-timer'; name: string; at: Millis }
  | { type: 'cancel-timer'; name: string }
  /**
   * A new state of a task. `ack` is set when the application acknowledges the update itself
   * (`acknowledge: 'by-application'`): it sends `{type: 'acknowledge', ack}` once it has made
   * the update durable. Until then the agent re-sends it, and holds back the task's next one.
   */
  | { type: 'task-status'; taskId: string; status: AppTaskStatus; terminal: boolean; ack: AckToken | null }
  | { type: 'task-launched'; taskId: string; agentId: string; hostname: string; offerId: string; ports: number[] }
  | { type: 'log'; level: LogLevel; message: string; fields?: Record<string, unknown> };

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
  terminal: boolean;
  /** A kill was asked for (re-sent after every subscription until the task ends). */
  kill: { gracePeriodMs: Millis | null } | null;
}

/** Read-only access for the author's hooks. */
export interface FrameworkView {
  readonly frameworkId: string | null;
  readonly connected: boolean;
  readonly now: Millis;
  readonly tasks: ReadonlyMap<string, Readonly<TrackedTask>>;
  readonly pending: ReadonlyMap<string, Readonly<LaunchRequest>>;
  readonly suppressed: boolean;
  readonly reconciling: boolean;
}
