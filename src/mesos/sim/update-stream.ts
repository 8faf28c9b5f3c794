/**
 * The agent's per-task status update stream: only the head update is sent, and re-sent
 * with exponential backoff, until the framework acknowledges its uuid. Later updates wait.
 */
import type { TaskStatus } from '../types.js';
import type { TimerHandle, TimerQueue } from './timer-queue.js';

const MAX_RETRY_MS = 10 * 60 * 1000;

export class TaskUpdateStream {
  private readonly queue: TaskStatus[] = [];
  private timer: TimerHandle | undefined;
  private delayMs: number;
  private closed = false;

  constructor(
    private readonly send: (status: TaskStatus) => void,
    private readonly firstRetryMs: number,
    /** The agent's timers: one queue for all its streams' re-sends. */
    private readonly timers: TimerQueue,
  ) {
    this.delayMs = firstRetryMs;
  }

  get head(): TaskStatus | undefined {
    return this.queue[0];
  }

  get pendingCount(): number {
    return this.queue.length;
  }

  push(status: TaskStatus): void {
    if (this.closed) return;
    this.queue.push(status);
    if (this.queue.length === 1) this.sendHead();
  }

  /** True when uuid matched the head, which is then dropped and the next update sent. */
  acknowledge(uuid: string): TaskStatus | undefined {
    const head = this.queue[0];
    if (!head || head.uuid !== uuid) return undefined;
    this.queue.shift();
    this.clearTimer();
    this.delayMs = this.firstRetryMs;
    if (this.queue.length > 0) this.sendHead();
    return head;
  }

  /** Re-send the head now (the agent does this when its framework re-subscribes). */
  resendNow(): void {
    const head = this.queue[0];
    if (head && !this.closed) this.send(head);
  }

  close(): void {
    this.closed = true;
    this.clearTimer();
  }

  private sendHead(): void {
    const head = this.queue[0];
    if (!head || this.closed) return;
    this.send(head);
    this.clearTimer();
    // Re-sends come after 10 s, then 20 s, 40 s ... capped at 10 min (with the default first retry).
    this.timer = this.timers.schedule(this.delayMs, () => {
      this.timer = undefined;
      this.delayMs = Math.min(this.delayMs * 2, MAX_RETRY_MS);
      this.sendHead();
    });
  }

  private clearTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
