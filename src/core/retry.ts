/**
 * Exponential backoff with jitter. The jitter is drawn from a hash of the run ID rather
 * than a random source, so update() stays deterministic and a restart computes the same
 * delay again.
 */
import type { Millis } from './types.js';

export interface BackoffPolicy {
  backoffMs: Millis;
  factor: number;
  maxBackoffMs: Millis;
  jitter: number;
}

/** Delay before attempt `failedAttempt + 1`, for a run whose attempt `failedAttempt` failed. */
export function retryDelay(policy: BackoffPolicy, failedAttempt: number, seed: string): Millis {
  const exponential = policy.backoffMs * policy.factor ** Math.max(0, failedAttempt - 1);
  const base = Math.min(policy.maxBackoffMs, exponential);
  const spread = policy.jitter * (2 * unitHash(seed) - 1);
  return Math.max(0, Math.round(base * (1 + spread)));
}

/** FNV-1a of the string, mapped to [0, 1). */
export function unitHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 0x1_0000_0000;
}
