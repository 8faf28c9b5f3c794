export interface BackoffPolicy {
  baseMs: number;
  factor: number;
  maxMs: number;
}

/** The docs ask for jittered exponential backoff capped around 15 s (docs/mesos.md#reconnect). */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, factor: 2, maxMs: 15_000 };

/** Full jitter: uniform in [0, min(max, base × factor^attempt)), so restarting schedulers don't reconnect in lockstep. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * policy.factor ** attempt);
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`, or as soon as `signal` aborts; never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
