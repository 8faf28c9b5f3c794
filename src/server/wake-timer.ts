/** The single timer behind every due time: the loop asks for its earliest wake-up. */
import type { Millis } from '../core/types.js';

// setTimeout overflows past 2^31-1 ms; a far wake-up is taken in steps.
const MAX_DELAY = 24 * 3600_000;

export class WakeTimer {
  private handle: NodeJS.Timeout | null = null;

  constructor(
    private readonly clock: () => Millis,
    private readonly onWake: () => void,
  ) {}

  set(at: Millis | null): void {
    this.clear();
    if (at === null) return;
    const delay = Math.min(Math.max(0, at - this.clock()), MAX_DELAY);
    this.handle = setTimeout(() => {
      this.handle = null;
      this.onWake();
    }, delay);
  }

  clear(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = null;
  }
}
