import type { Event, FrameworkInfo, TaskState } from '../types.js';
import type { EventStream } from './event-stream.js';
import { frameworkRoles, hasCapability } from './framework-info.js';
import type { SimTask } from './sim-task.js';
import type { LongTimer } from './long-timer.js';
import { Counters } from './counters.js';

export interface CompletedTask {
  task: SimTask;
  state: TaskState;
}

/** The master's --max_completed_tasks_per_framework default: older completed tasks are forgotten. */
export const MAX_COMPLETED_TASKS = 1000;

/** The master's record of a framework. */
export class Framework {
  stream: EventStream | undefined;
  roles: string[];
  suppressed = new Set<string>();
  failoverTimer: LongTimer | undefined;
  /** Learned from a re-registering agent after a master restart; not subscribed yet. */
  recovered = false;
  private readonly completed: CompletedTask[] = [];
  registeredTime = Date.now() / 1000;
  reregisteredTime: number | undefined;
  unregisteredTime: number | undefined;
  /** Its per-framework metrics (calls, events, offers, operations, terminal task states). */
  readonly counters = new Counters();

  constructor(
    readonly id: string,
    public info: FrameworkInfo,
  ) {
    this.roles = frameworkRoles(info);
  }

  /** The latest completed tasks, oldest first, as /master/state lists them. */
  get completedTasks(): readonly CompletedTask[] {
    return this.completed.length > MAX_COMPLETED_TASKS ? this.completed.slice(-MAX_COMPLETED_TASKS) : this.completed;
  }

  recordCompleted(task: SimTask, state: TaskState): void {
    this.completed.push({ task, state });
    // Trimmed in batches so that thousands of completions a second stay cheap.
    if (this.completed.length >= 2 * MAX_COMPLETED_TASKS) this.completed.splice(0, this.completed.length - MAX_COMPLETED_TASKS);
  }

  /** Subscribed on an open stream: what /master/state calls `active` and `connected`. */
  get connected(): boolean {
    return this.stream?.isOpen ?? false;
  }

  get partitionAware(): boolean {
    return hasCapability(this.info, 'PARTITION_AWARE');
  }

  get multiRole(): boolean {
    return hasCapability(this.info, 'MULTI_ROLE');
  }

  /** A re-subscription may not change the principal. */
  principalDiffers(info: FrameworkInfo): boolean {
    return (info.principal ?? undefined) !== (this.info.principal ?? undefined);
  }

  send(event: Event | Record<string, unknown>): void {
    if (!this.connected) return;
    this.counters.add('events');
    this.counters.add(`events/${String(event.type).toLowerCase()}`);
    this.stream!.send(event);
  }
}
