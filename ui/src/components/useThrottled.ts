/**
 * A function that runs `action` `delayMs` after the first of a burst of calls, once for the
 * whole burst: unlike useDebounced, a steady stream of calls cannot hold it off for ever.
 */
import { useCallback, useEffect, useRef } from 'react';

export function useThrottled(action: () => void, delayMs: number): () => void {
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
    timer.current ??= setTimeout(() => {
      timer.current = null;
      latest.current();
    }, delayMs);
  }, [delayMs]);
}
