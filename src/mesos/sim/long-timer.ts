/** A cancellable timer for delays beyond 2^31-1 ms (Node's setTimeout would fire those after 1 ms). */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class LongTimer {
  private handle: NodeJS.Timeout | undefined;

  constructor(fn: () => void, ms: number) {
    const arm = (left: number): void => {
      this.handle = setTimeout(() => (left > MAX_DELAY_MS ? arm(left - MAX_DELAY_MS) : fn()), Math.min(Math.max(0, left), MAX_DELAY_MS));
    };
    arm(ms);
  }

  cancel(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
  }
}
