/**
 * Many timers on one Node timer: a min-heap by due time. An agent holds thousands of them at
 * once (update retries, simulated tasks' ends), and one sorted queue keeps each schedule and
 * cancel O(log n) with a single armed timeout.
 */

export interface TimerHandle {
  cancel(): void;
}

interface Entry extends TimerHandle {
  readonly at: number;
  /** Ties on `at` fire in the order they were scheduled. */
  readonly seq: number;
  readonly fire: () => void;
  cancelled: boolean;
}

/** Cancelled entries stay in the heap until popped; past this many (and half the heap) it is rebuilt. */
const COMPACT_AFTER = 1024;

export class TimerQueue {
  private heap: Entry[] = [];
  private seq = 0;
  private cancelledCount = 0;
  private armed: NodeJS.Timeout | undefined;
  private armedAt = Infinity;
  private stopped = false;

  get size(): number {
    return this.heap.length - this.cancelledCount;
  }

  /** Runs `fire` once, `delayMs` from now (no sooner), unless cancelled. */
  schedule(delayMs: number, fire: () => void): TimerHandle {
    const entry: Entry = {
      at: Date.now() + Math.max(0, delayMs),
      seq: this.seq++,
      fire,
      cancelled: false,
      cancel: () => {
        if (entry.cancelled) return;
        entry.cancelled = true;
        this.cancelledCount++;
        this.compactIfWasteful();
      },
    };
    if (this.stopped) {
      entry.cancelled = true;
      return entry;
    }
    this.push(entry);
    if (entry.at < this.armedAt) this.arm();
    return entry;
  }

  /** Cancels everything; later schedules do nothing. */
  stop(): void {
    this.stopped = true;
    this.disarm();
    for (const entry of this.heap) entry.cancelled = true;
    this.heap = [];
    this.cancelledCount = 0;
  }

  private fireDue(): void {
    this.armed = undefined;
    this.armedAt = Infinity;
    const now = Date.now();
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const entry = this.pop();
      if (entry.cancelled) {
        this.cancelledCount--;
        continue;
      }
      entry.cancelled = true;
      entry.fire();
      if (this.stopped) return;
    }
    this.arm();
  }

  private arm(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) {
      this.pop();
      this.cancelledCount--;
    }
    const head = this.heap[0];
    if (!head) return this.disarm();
    if (this.armed && this.armedAt <= head.at) return;
    this.disarm();
    this.armedAt = head.at;
    this.armed = setTimeout(() => this.fireDue(), Math.max(0, head.at - Date.now()));
    // The servers keep the process alive; pending retries alone should not.
    this.armed.unref();
  }

  private disarm(): void {
    if (this.armed) clearTimeout(this.armed);
    this.armed = undefined;
    this.armedAt = Infinity;
  }

  private compactIfWasteful(): void {
    if (this.cancelledCount < COMPACT_AFTER || this.cancelledCount * 2 < this.heap.length) return;
    this.heap = this.heap.filter((e) => !e.cancelled);
    this.cancelledCount = 0;
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private static before(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!TimerQueue.before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && TimerQueue.before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && TimerQueue.before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}
