/** Calls `onExpire` once when `kick` has not been called for the timeout. */
export class Watchdog {
  private timer: NodeJS.Timeout;
  private timeoutMs: number;

  constructor(
    timeoutMs: number,
    private readonly onExpire: () => void,
  ) {
    this.timeoutMs = timeoutMs;
    this.timer = setTimeout(onExpire, timeoutMs);
  }

  get timeout(): number {
    return this.timeoutMs;
  }

  kick(): void {
    this.timer.refresh();
  }

  /** Switches to a new timeout, counted from now. */
  retime(timeoutMs: number): void {
    clearTimeout(this.timer);
    this.timeoutMs = timeoutMs;
    this.timer = setTimeout(this.onExpire, timeoutMs);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
