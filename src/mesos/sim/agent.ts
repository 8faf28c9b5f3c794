/** A fake agent: runs command tasks (as real processes, or simulated) and keeps their reliable update streams. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameworkInfo, TaskInfo, TaskState, TaskStatus } from '../types.js';
import { ExecutorLog } from './executor-log.js';
import { hasCapability } from './framework-info.js';
import { Resources } from './resources.js';
import { agentRoot, createSandbox, sandboxPath } from './sandbox.js';
import { isTerminal, taskKey, type SimTask, type TaskRun } from './sim-task.js';
import { SimulatedSandboxes } from './simulated-sandboxes.js';
import { SimulatedCommand, type TaskMode } from './simulated-task.js';
import { describeExit, TaskProcess, type ProcessExit } from './task-process.js';
import { giveSandbox, taskUser, type SandboxOwnership } from './task-user.js';
import { TimerQueue } from './timer-queue.js';
import { TaskUpdateStream } from './update-stream.js';
import { newUuid, newUuidBase64 } from './uuid.js';

export interface AgentListener {
  /** The head update of a task stream, first send or retry. */
  forwardUpdate(task: SimTask, status: TaskStatus): void;
}

/**
 * How the current master knows the agent: registered; recovered from the replicated-log registry
 * after a master restart but not re-registered yet; or unknown (an in-memory registry after a
 * restart, or no master running at all).
 */
export type AgentRegistration = 'registered' | 'recovered' | 'unknown';

export interface LaunchRequest {
  info: TaskInfo;
  frameworkId: string;
  frameworkInfo: FrameworkInfo;
  role: string;
  resources: Resources;
  /** Default-executor group launches: executor id and the shared container. */
  group?: { executorId: string; containerId: string; groupId: string };
}

export interface AgentSetup {
  id: string;
  hostname: string;
  total: Resources;
  attributes: Record<string, string>;
  /** What its /flags shows of --isolation and --containerizers. */
  flags: { isolation: string; containerizers: string };
  workDir: string;
  /** First re-send of an unacknowledged update. */
  retryMs: number;
  /** --switch_user: tasks run as their user (see task-user.ts). */
  switchUser: boolean;
  taskMode: TaskMode;
}

export class Agent {
  readonly tasks = new Map<string, SimTask>();
  registration: AgentRegistration = 'registered';
  /** Set while a network partition cuts the agent off (ms since the epoch); its tasks keep running. */
  unreachableSince: number | null = null;
  readonly registeredTime = Date.now() / 1000;
  port = 0;
  readonly id: string;
  readonly hostname: string;
  readonly total: Resources;
  readonly attributes: Record<string, string>;
  readonly flags: { isolation: string; containerizers: string };
  /** What /files shows of simulated tasks (none in process mode). */
  readonly simulatedSandboxes: SimulatedSandboxes;
  private readonly orphans = new Set<TaskRun>();
  /** Update re-sends and simulated tasks' ends, on one timer. */
  private readonly timers = new TimerQueue();

  constructor(
    private readonly setup: AgentSetup,
    private readonly listener: AgentListener,
  ) {
    ({ id: this.id, hostname: this.hostname, total: this.total, attributes: this.attributes, flags: this.flags } = setup);
    this.simulatedSandboxes = new SimulatedSandboxes(agentRoot(setup.workDir, setup.id));
  }

  /** The master can talk to it: registered and not partitioned away. */
  get reachable(): boolean {
    return this.registration === 'registered' && this.unreachableSince === null;
  }

  /** What the master counts as in use: tasks it does not know to be terminal yet. */
  used(): Resources {
    let used = new Resources();
    for (const task of this.tasks.values()) if (!isTerminal(task.masterState)) used = used.plus(task.resources);
    return used;
  }

  task(frameworkId: string, taskId: string): SimTask | undefined {
    return this.tasks.get(taskKey(frameworkId, taskId));
  }

  launch(request: LaunchRequest): SimTask {
    const { info } = request;
    const { workDir, taskMode } = this.setup;
    const simulated = taskMode.kind === 'simulated';
    const executorId = request.group?.executorId ?? info.task_id.value;
    const containerId = request.group?.containerId ?? newUuid();
    // A simulated task's sandbox exists only in /files (simulated-sandboxes.ts), never on disk.
    let sandbox = (simulated ? sandboxPath : createSandbox)(workDir, this.id, request.frameworkId, executorId, containerId);
    if (request.group) {
      sandbox = join(sandbox, 'tasks', info.task_id.value);
      if (!simulated) mkdirSync(sandbox, { recursive: true });
    }
    const ownership: SandboxOwnership = this.setup.switchUser ? giveSandbox(sandbox, taskUser(info, request.frameworkInfo)) : { ok: true, owner: null };
    const task: SimTask = {
      info,
      frameworkId: request.frameworkId,
      frameworkInfo: request.frameworkInfo,
      agentId: this.id,
      executorId,
      containerId,
      sandbox,
      role: request.role,
      resources: request.resources,
      container: info.container,
      groupId: request.group?.groupId,
      latestState: 'TASK_STAGING',
      masterState: 'TASK_STAGING',
      statusUpdateState: undefined,
      statuses: [],
      updates: new TaskUpdateStream((status) => this.listener.forwardUpdate(task, status), this.setup.retryMs, this.timers),
      process: undefined,
      // The default executor of a task group logs into its own sandbox, not the task's.
      executorLog: info.command && !request.group && !simulated ? new ExecutorLog(join(sandbox, 'stderr')) : undefined,
      killRequested: false,
      terminalAcknowledged: false,
    };
    this.tasks.set(taskKey(request.frameworkId, info.task_id.value), task);
    if (!ownership.ok) {
      const state = hasCapability(request.frameworkInfo, 'PARTITION_AWARE') ? 'TASK_DROPPED' : 'TASK_LOST';
      this.update(task, state, ownership.message, 'SOURCE_AGENT', 'REASON_EXECUTOR_TERMINATED');
      return task;
    }
    if (!info.command) {
      this.update(task, 'TASK_FAILED', 'Custom executors are not supported by the Mesos sim', 'SOURCE_AGENT', 'REASON_EXECUTOR_TERMINATED');
      return task;
    }
    this.update(task, 'TASK_STARTING');
    if (taskMode.kind === 'simulated') {
      this.simulatedSandboxes.add(task);
      task.process = new SimulatedCommand(taskMode.durationMs, this.timers, (exit) => this.onExit(task, exit));
      this.update(task, 'TASK_RUNNING');
      return task;
    }
    task.executorLog?.launching(info.task_id.value, this.hostname);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MESOS_SANDBOX: sandbox,
      MESOS_TASK_ID: info.task_id.value,
      MESOS_FRAMEWORK_ID: request.frameworkId,
      MESOS_AGENT_ID: this.id,
      MESOS_EXECUTOR_ID: executorId,
      MESOS_CONTAINER_ID: containerId,
    };
    for (const v of info.command.environment?.variables ?? []) env[v.name] = v.value;
    const logs = { stdout: join(sandbox, 'stdout'), stderr: join(sandbox, 'stderr') };
    const started = TaskProcess.start(info.command, sandbox, env, logs, ownership.owner, (exit) => this.onExit(task, exit));
    task.process = started;
    task.executorLog?.forked(started.pid);
    if (!started.hasExited) this.update(task, 'TASK_RUNNING');
    return task;
  }

  /** TERM the task's process group (and its group siblings), KILL after the grace period. */
  kill(task: SimTask, graceMs: number, sendKilling: boolean): void {
    const targets = task.groupId ? [...this.tasks.values()].filter((t) => t.groupId === task.groupId) : [task];
    for (const t of targets) {
      if (isTerminal(t.latestState) || t.killRequested) continue;
      t.killRequested = true;
      if (sendKilling) this.update(t, 'TASK_KILLING');
      t.executorLog?.killing(t.info.task_id.value, graceMs, t.process?.pid);
      t.process?.terminate(graceMs);
    }
  }

  /** The acknowledged status, or undefined when the uuid is not the head of the task's stream. */
  acknowledge(frameworkId: string, taskId: string, uuid: string): TaskStatus | undefined {
    const task = this.task(frameworkId, taskId);
    const acked = task?.updates.acknowledge(uuid);
    if (task && acked && isTerminal(acked.state) && task.updates.pendingCount === 0) this.tasks.delete(taskKey(frameworkId, taskId));
    return acked;
  }

  /** The framework is gone: kill its tasks, drop their pending updates. */
  shutdownFramework(frameworkId: string, graceMs: number): SimTask[] {
    const removed: SimTask[] = [];
    for (const [key, task] of this.tasks) {
      if (task.frameworkId !== frameworkId) continue;
      task.updates.close();
      task.killRequested = true;
      if (task.process && !task.process.hasExited) {
        this.orphans.add(task.process);
        task.process.terminate(graceMs);
      }
      this.tasks.delete(key);
      removed.push(task);
    }
    return removed;
  }

  /** Re-send every pending head update of a framework (done when it re-subscribes). */
  resendPending(frameworkId: string): void {
    for (const task of this.tasks.values()) if (task.frameworkId === frameworkId) task.updates.resendNow();
  }

  killAllNow(): void {
    this.timers.stop();
    for (const task of this.tasks.values()) {
      task.updates.close();
      task.process?.killNow();
    }
    for (const proc of this.orphans) proc.killNow();
  }

  private onExit(task: SimTask, exit: ProcessExit): void {
    let state: TaskState = 'TASK_FAILED';
    if (task.killRequested) state = 'TASK_KILLED';
    else if (exit.signal === null && exit.code === 0) state = 'TASK_FINISHED';
    task.executorLog?.exited(describeExit(exit), task.process?.pid);
    this.update(task, state, describeExit(exit));
    if (task.groupId && state === 'TASK_FAILED') this.kill(task, 3000, false);
  }

  private update(task: SimTask, state: TaskState, message?: string, source = 'SOURCE_EXECUTOR', reason?: string): void {
    if (isTerminal(task.latestState)) return;
    task.latestState = state;
    const status: TaskStatus = {
      task_id: { value: task.info.task_id.value },
      state,
      ...(message !== undefined ? { message } : {}),
      source: source as TaskStatus['source'],
      ...(reason !== undefined ? { reason } : {}),
      agent_id: { value: this.id },
      executor_id: { value: task.executorId },
      timestamp: Date.now() / 1000,
      uuid: newUuidBase64(),
    };
    (status as TaskStatus & Record<string, unknown>).container_status = {
      container_id: { value: task.containerId },
      ...(task.process?.pid !== undefined ? { executor_pid: task.process.pid } : {}),
    };
    task.updates.push(status);
  }
}
