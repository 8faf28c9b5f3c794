/**
 * `--task-mode simulated`: a task's command is not run. The agent reports TASK_STARTING and
 * TASK_RUNNING as for a real one, and the "command" exits 0 once the task duration has passed
 * (TASK_FINISHED), or at once on SIGTERM (TASK_KILLED). Updates, acknowledgements, retries,
 * reconciliation, partitions and failovers are the agent's and master's own, unchanged.
 */
import type { TaskRun } from './sim-task.js';
import type { ProcessExit } from './task-process.js';
import type { TimerHandle, TimerQueue } from './timer-queue.js';

/** How an agent runs tasks: real processes in real sandboxes, or simulated ones of a fixed duration. */
export type TaskMode = { kind: 'process' } | { kind: 'simulated'; durationMs: number };

export class SimulatedCommand implements TaskRun {
  readonly pid = undefined;
  private exited = false;
  private readonly end: TimerHandle;

  constructor(
    durationMs: number,
    timers: TimerQueue,
    private readonly onExit: (exit: ProcessExit) => void,
  ) {
    this.end = timers.schedule(durationMs, () => this.exit({ code: 0, signal: null }));
  }

  get hasExited(): boolean {
    return this.exited;
  }

  /** Like a command that does not trap TERM: it ends on the signal, after the KILL call has returned. */
  terminate(): void {
    if (this.exited) return;
    this.end.cancel();
    setImmediate(() => this.exit({ code: null, signal: 'SIGTERM' }));
  }

  /** The sim is closing: end without a word. */
  killNow(): void {
    this.end.cancel();
    this.exited = true;
  }

  private exit(exit: ProcessExit): void {
    if (this.exited) return;
    this.exited = true;
    this.onExit(exit);
  }
}
