/** Schedule test helpers: times as ISO strings so a reader can check them. */
import { parseSchedule, type DstRule } from '../../src/core/schedule/index.js';

export const at = (iso: string): number => Date.parse(iso);
export const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** The first `n` occurrences strictly after `from`, as ISO strings; stops at null. */
export function runs(expr: string, timezone: string, from: string, n: number, dst?: DstRule): (string | null)[] {
  const schedule = parseSchedule(expr, { timezone, dst });
  const out: (string | null)[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    const next = schedule.next(t);
    out.push(iso(next));
    if (next === null) break;
    t = next;
  }
  return out;
}
