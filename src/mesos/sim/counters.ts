/** Metric counters (see metrics.ts for the names and the snapshot). */
import type { TaskState } from '../types.js';

export class Counters {
  private readonly values = new Map<string, number>();

  add(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  entries(): IterableIterator<[string, number]> {
    return this.values.entries();
  }

  clear(): void {
    this.values.clear();
  }
}

/** `TASK_RUNNING` → `task_running`, as per-framework metrics name states. */
export const stateMetric = (state: TaskState): string => state.toLowerCase();

/** `TASK_FINISHED` → `tasks_finished`, as the master-wide metrics name them. */
export const masterStateMetric = (state: TaskState): string => `tasks_${state.slice('TASK_'.length).toLowerCase()}`;

/** A task reached a terminal state in the master's eyes (an update forwarded, or one the master made). */
export function countTerminal(master: { counters: Counters }, framework: { counters: Counters } | undefined, state: TaskState): void {
  master.counters.add(`master/${masterStateMetric(state)}`);
  framework?.counters.add(`tasks/terminal/${stateMetric(state)}`);
}
