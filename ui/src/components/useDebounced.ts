/** Delayed calls of an action: debounced (after the last of a burst) or throttled (after the first). */
import { useCallback, useEffect, useRef } from 'react';

/**
 * A function that runs `action` `delayMs` after a call, once per burst of calls. `restart`:
 * each call starts the wait again (debounce); otherwise the first call's wait stands (throttle).
 */
export function useDelayedCall(action: () => void, delayMs: number, restart: boolean): () => void {
  const latest = useRef(action);
  latest.current = action;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return useCallback(() => {
    if (timer.current && !restart) return;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      latest.current();
    }, delayMs);
  }, [delayMs, restart]);
}

/** A function that runs `action` once, `delayMs` after the last of a burst of calls (live events come in bursts). */
export function useDebounced(action: () => void, delayMs: number): () => void {
  return useDelayedCall(action, delayMs, true);
}
