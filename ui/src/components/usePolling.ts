/** Calls `action` every `everyMs` while the tab is visible, and once when it becomes visible again. */
import { useEffect, useRef } from 'react';

export function usePolling(action: () => void, everyMs: number): void {
  const latest = useRef(action);
  latest.current = action;
  useEffect(() => {
    const tick = () => {
      if (document.visibilityState === 'visible') latest.current();
    };
    const timer = setInterval(tick, everyMs);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [everyMs]);
}
