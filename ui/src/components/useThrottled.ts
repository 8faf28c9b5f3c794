/**
 * A function that runs `action` `delayMs` after the first of a burst of calls, once for the
 * whole burst: unlike useDebounced, a steady stream of calls cannot hold it off for ever.
 */
import { useDelayedCall } from './useDebounced';

export function useThrottled(action: () => void, delayMs: number): () => void {
  return useDelayedCall(action, delayMs, false);
}
