/**
 * Cron schedules. croner parses and matches the fields on a wall clock (it runs in UTC, where
 * wall clock and instant coincide); this file maps wall-clock matches to instants in the
 * job's time zone with an explicit DST rule, which croner's own time-zone mode cannot do.
 */
import { Cron, CronPattern } from 'croner';
import type { DstRule, Schedule } from './types.js';
import { EARLIEST_INSTANT, LATEST_INSTANT, segmentAt } from './time-zone.js';

const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** Vixie cron's rule, as croner applies it: `30 2 * * *` runs once, right after a gap... */
const FIXED_TIME_RULE: DstRule = { gap: 'next', overlap: 'once' };
/** ...while `*\/15 * * * *` keeps its interval in real time: no run in a gap, runs in both copies of an overlap. */
const INTERVAL_RULE: DstRule = { gap: 'skip', overlap: 'twice' };

export function parseCron(expr: string, timeZone: string, dst?: DstRule): Schedule {
  const invalid = (why: string) => new Error(`${JSON.stringify(expr)}: ${why}`);
  let pattern = expr;
  if (expr.startsWith('@')) {
    pattern = expr.toLowerCase();
    if (!MACROS.includes(pattern)) throw invalid(`unknown macro, use one of ${MACROS.join(' ')}`);
  } else {
    const fields = expr === '' ? 0 : expr.split(/\s+/).length;
    if (fields !== 5 && fields !== 6) {
      throw invalid(
        `expected 5 cron fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got ${fields}; ` +
          'or a macro such as @daily, or an ISO 8601 repeating interval R[n]/start/duration',
      );
    }
  }
  let cron: Cron;
  let fixedTime: boolean;
  try {
    cron = cronFor(pattern);
    fixedTime = new CronPattern(pattern, undefined, { mode: '5-or-6-parts' }).isFixedTime;
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).replace(/^CronPattern:\s*/, '');
    throw invalid(message.charAt(0).toLowerCase() + message.slice(1));
  }
  // Without a year field a pattern that matches once matches every 400 years.
  if (cron.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) throw invalid('never matches (no such date)');
  return new CronSchedule(pattern, timeZone, dst ?? (fixedTime ? FIXED_TIME_RULE : INTERVAL_RULE));
}

/**
 * A parsed croner pattern holds a 10,000-entry year table (about 80 KB), so jobs keep only
 * their pattern text and share parsed patterns through this bounded cache: memory stays
 * flat with 100,000 jobs, and common patterns are parsed once.
 */
const CACHE_SIZE = 512;
const parsed = new Map<string, Cron>();

function cronFor(pattern: string): Cron {
  let cron = parsed.get(pattern);
  if (cron) {
    // Most recently used last, so the first key is the one to evict.
    parsed.delete(pattern);
  } else {
    // utcOffset 0 rather than timezone 'UTC': the same wall clock, without Intl on every call.
    cron = new Cron(pattern, { utcOffset: 0, mode: '5-or-6-parts' });
    if (parsed.size >= CACHE_SIZE) parsed.delete(parsed.keys().next().value!);
  }
  parsed.set(pattern, cron);
  return cron;
}

class CronSchedule implements Schedule {
  readonly kind = 'cron';

  constructor(
    private readonly pattern: string,
    private readonly timeZone: string,
    private readonly rule: DstRule,
  ) {}

  next(afterMs: number): number | null {
    if (!(afterMs < LATEST_INSTANT)) return null;
    const after = Math.max(afterMs, EARLIEST_INSTANT);
    const matchAfter = wallMatcher(cronFor(this.pattern));
    let segment = segmentAt(this.timeZone, after);
    // The highest wall-clock time shown before the current segment.
    let wallReached = segment.start + segment.offsetBefore;
    // Walk the zone's segments of constant offset. In one, wall clock = instant + offset.
    while (segment.start <= LATEST_INSTANT) {
      const startWall = segment.start + segment.offset;
      if (segment.start > after && startWall > wallReached && this.rule.gap === 'next') {
        // Wall-clock times in [wallReached, startWall) were skipped; any match there runs now.
        const inGap = matchAfter(wallReached - 1);
        if (inGap === null) return null;
        if (inGap < startWall) return segment.start;
      }
      // After clocks fall back, times below wallReached are shown a second time.
      const lowestWall = this.rule.overlap === 'once' ? Math.max(startWall, wallReached) : startWall;
      const wall = matchAfter(Math.max(after + segment.offset, lowestWall - 1));
      if (wall === null) return null;
      if (wall - segment.offset < segment.end) return wall - segment.offset;
      wallReached = Math.max(wallReached, segment.end + segment.offset);
      segment = segmentAt(this.timeZone, segment.end);
    }
    return null;
  }
}

/**
 * The first whole-second wall-clock match strictly after `wall` (croner's nextRun), remembering
 * the last answer: no match lies between a question and its answer, so a later question that
 * falls in between has the same answer. Walking many segments then costs few croner calls.
 */
function wallMatcher(cron: Cron): (wall: number) => number | null {
  let asked = Number.POSITIVE_INFINITY;
  let answer: number | null = null;
  return (wall) => {
    if (wall >= asked && (answer === null || wall < answer)) return answer;
    asked = wall;
    answer = cron.nextRun(new Date(wall))?.getTime() ?? null;
    return answer;
  };
}
