import type { ContainerInfo, FrameworkInfo, TaskInfo, TaskState, TaskStatus } from '../types.js';
import { TERMINAL_TASK_STATES } from '../types.js';
import type { ExecutorLog } from './executor-log.js';
import type { Resources } from './resources.js';
import type { TaskUpdateStream } from './update-stream.js';

/** What runs a task's command: a real process (task-process.ts) or a simulated one (simulated-task.ts). */
export interface TaskRun {
  readonly pid: number | undefined;
  readonly hasExited: boolean;
  /** SIGTERM, then SIGKILL after the grace period. */
  terminate(graceMs: number): void;
  killNow(): void;
}

/** A task as its agent holds it; the master's view is derived from it (same process). */
export interface SimTask {
  readonly info: TaskInfo;
  readonly frameworkId: string;
  /** Kept by the agent so a restarted master can recover the framework. */
  readonly frameworkInfo: FrameworkInfo;
  readonly agentId: string;
  readonly executorId: string;
  readonly containerId: string;
  readonly sandbox: string;
  readonly role: string;
  readonly resources: Resources;
  /** Recorded only: the sim runs the command on the host even when an image is given (no Docker), or not at all (simulated tasks). */
  readonly container: ContainerInfo | undefined;
  /** Tasks of one LAUNCH_GROUP share this id; the default executor kills them together. */
  readonly groupId: string | undefined;
  /** The agent's current state. */
  latestState: TaskState;
  /**
   * The state as the master knows it (what /master/state shows): the agent's state when it last
   * forwarded an update (Mesos' `latest_state`) or re-registered. While an earlier update waits
   * for its ack, a task that already finished still shows, and holds its resources, as before.
   */
  masterState: TaskState;
  /** The state of the latest update forwarded to the master (what reconciliation reports). */
  statusUpdateState: TaskState | undefined;
  /** Updates the master has seen, for /master/state. */
  readonly statuses: TaskStatus[];
  readonly updates: TaskUpdateStream;
  process: TaskRun | undefined;
  /** The command executor's glog lines in the sandbox stderr (absent for task groups). */
  readonly executorLog: ExecutorLog | undefined;
  killRequested: boolean;
  /** Removed from the master's active set once its terminal update is acknowledged. */
  terminalAcknowledged: boolean;
}

export const isTerminal = (state: TaskState | undefined): boolean => state !== undefined && TERMINAL_TASK_STATES.has(state);

export const taskKey = (frameworkId: string, taskId: string): string => `${frameworkId}\u0000${taskId}`;

/** A status the master makes itself: SOURCE_MASTER, timestamp, never a uuid. */
export function masterStatus(taskId: string, state: TaskState, reason: string, message: string, agentId?: string): TaskStatus {
  return {
    task_id: { value: taskId },
    state,
    message,
    source: 'SOURCE_MASTER',
    reason,
    ...(agentId !== undefined ? { agent_id: { value: agentId } } : {}),
    timestamp: Date.now() / 1000,
  };
}
