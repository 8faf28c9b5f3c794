import type { BackoffSettings } from './options.js';

export const DEFAULT_BACKOFF: BackoffSettings = { firstMs: 1000, maxMs: 5 * 60_000 };

/** Up to a quarter shorter at random, so notices that failed together do not retry together. */
const JITTER = 0.25;

/** The delay before retry number `retry` (1 = after the first failure): doubling from firstMs, capped at maxMs. */
export function retryDelay(retry: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const doubled = settings.firstMs * 2 ** Math.min(Math.max(retry - 1, 0), 40);
  return Math.round(Math.min(doubled, settings.maxMs) * (1 - JITTER * random()));
}
