import type { Event, FrameworkInfo, TaskState } from '../types.js';
import type { EventStream } from './event-stream.js';
import { frameworkRoles, hasCapability } from './framework-info.js';
import type { SimTask } from './sim-task.js';
import type { LongTimer } from './long-timer.js';

export interface CompletedTask {
  task: SimTask;
  state: TaskState;
}

/** The master's record of a framework. */
export class Framework {
  stream: EventStream | undefined;
  roles: string[];
  suppressed = new Set<string>();
  failoverTimer: LongTimer | undefined;
  /** Learned from a re-registering agent after a master restart; not subscribed yet. */
  recovered = false;
  readonly completedTasks: CompletedTask[] = [];
  registeredTime = Date.now() / 1000;
  reregisteredTime: number | undefined;
  unregisteredTime: number | undefined;

  constructor(
    readonly id: string,
    public info: FrameworkInfo,
  ) {
    this.roles = frameworkRoles(info);
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
    if (this.connected) this.stream!.send(event);
  }
}
