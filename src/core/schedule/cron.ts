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
  let entry: ParsedCron;
  try {
    entry = parsedFor(pattern);
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).replace(/^CronPattern:\s*/, '');
    throw invalid(message.charAt(0).toLowerCase() + message.slice(1));
  }
  const { fixedTime } = entry;
  // Without a year field a pattern that matches once matches every 400 years.
  entry.matches ??= entry.cron.nextRun(new Date(Date.UTC(2000, 0, 1))) !== null;
  if (!entry.matches) throw invalid('never matches (no such date)');
  return new CronSchedule(pattern, timeZone, dst ?? (fixedTime ? FIXED_TIME_RULE : INTERVAL_RULE));
}

/**
 * Jobs keep only their pattern text and share parsed patterns through this bounded cache, so
 * common patterns are parsed once. Parsing costs about 20 µs, most of it croner filling a
 * 10,000-entry year table (80 KB); see compactPattern for why the cache stays small anyway.
 */
const CACHE_SIZE = 4096;
const parsed = new Map<string, ParsedCron>();

interface ParsedCron {
  cron: Cron;
  fixedTime: boolean;
  /** Whether it matches any date at all (not `0 0 30 2 *`); asked once. */
  matches: boolean | null;
  /** Built on first use: only counting (the timeline) needs it. */
  day: DayShape | null;
}

function parsedFor(pattern: string): ParsedCron {
  let entry = parsed.get(pattern);
  if (entry) {
    // Most recently used last, so the first key is the one to evict.
    parsed.delete(pattern);
  } else {
    // utcOffset 0 rather than timezone 'UTC': the same wall clock, without Intl on every call.
    const options = { mode: '5-or-6-parts' } as const;
    const cron = new Cron(pattern, { ...options, utcOffset: 0 });
    const inner = compactPattern(cron);
    entry = { cron, fixedTime: inner?.isFixedTime ?? new CronPattern(pattern, undefined, options).isFixedTime, matches: null, day: null };
    if (parsed.size >= CACHE_SIZE) parsed.delete(parsed.keys().next().value!);
  }
  parsed.set(pattern, entry);
  return entry;
}

/** Every year allowed: what croner builds for each pattern without a year field (all of ours). */
const ANY_YEAR: readonly number[] = Object.freeze(new Array<number>(10_000).fill(1));

/**
 * The pattern a Cron parsed (croner keeps it in its internal state), with its year table
 * swapped for the one shared table: all of ours allow every year, so the 80 KB each
 * pattern carried was the same every time, and an entry evicted from the cache after it
 * had aged into the old heap made a garbage collection far costlier than the parse.
 * Null if croner no longer keeps the pattern where this looks; then nothing is shared.
 */
function compactPattern(cron: Cron): CronPattern | null {
  const inner = (cron as unknown as { _states?: { pattern?: unknown } })._states?.pattern;
  if (!(inner instanceof CronPattern)) return null;
  if (inner.starYear && inner.year.length === ANY_YEAR.length) inner.year = ANY_YEAR as number[];
  return inner;
}

const cronFor = (pattern: string): Cron => parsedFor(pattern).cron;

function dayShapeFor(pattern: string): { cron: Cron; day: DayShape } {
  const entry = parsedFor(pattern);
  entry.day ??= dayShapeOf(new CronPattern(pattern, undefined, { mode: '5-or-6-parts' }));
  return { cron: entry.cron, day: entry.day };
}

class CronSchedule implements Schedule {
  readonly kind = 'cron';

  constructor(
    private readonly pattern: string,
    private readonly timeZone: string,
    private readonly rule: DstRule,
  ) {}

  get dst(): DstRule {
    return { ...this.rule };
  }

  firstNamedWallClock(fromWall: number, toWall: number): number | null {
    const match = cronFor(this.pattern).nextRun(new Date(fromWall - 1))?.getTime() ?? null;
    return match !== null && match < toWall ? match : null;
  }

  /**
   * The same walk over the zone's segments as next(), but each segment's wall-clock matches
   * are counted a day at a time (see countWallMatches), never listed.
   */
  countPerSpan(fromMs: number, widthMs: number, spans: number): number[] {
    const counts = new Array<number>(spans).fill(0);
    const after = Math.max(fromMs - 1, EARLIEST_INSTANT);
    const end = Math.min(fromMs + widthMs * spans, LATEST_INSTANT + 1);
    if (!(after < end)) return counts;
    const { cron, day } = dayShapeFor(this.pattern);
    const matchAfter = wallMatcher(cron);
    let segment = segmentAt(this.timeZone, after);
    let wallReached = segment.start + segment.offsetBefore;
    for (;;) {
      const startWall = segment.start + segment.offset;
      let lowestWall = Math.max(after + 1 + segment.offset, this.rule.overlap === 'once' ? Math.max(startWall, wallReached) : startWall);
      if (segment.start > after && startWall > wallReached && this.rule.gap === 'next') {
        const inGap = matchAfter(wallReached - 1);
        if (inGap !== null && inGap < startWall && segment.start < end) {
          counts[Math.floor((segment.start - fromMs) / widthMs)]! += 1;
          // A match at the end of the gap is that same run.
          lowestWall = Math.max(lowestWall, startWall + 1);
        }
      }
      const spansInWall = { fromWall: fromMs + segment.offset, widthMs, counts };
      countWallMatches(cron, day, lowestWall, Math.min(segment.end, end) + segment.offset, spansInWall);
      if (segment.end >= end) break;
      wallReached = Math.max(wallReached, segment.end + segment.offset);
      segment = segmentAt(this.timeZone, segment.end);
    }
    return counts;
  }

  /** The last question asked of next() and its answer: no match lies between them. */
  private asked = Number.POSITIVE_INFINITY;
  private answer: number | null = null;

  next(afterMs: number): number | null {
    if (afterMs >= this.asked && this.answer !== null && afterMs < this.answer) return this.answer;
    const answer = this.search(afterMs);
    [this.asked, this.answer] = [afterMs, answer];
    return answer;
  }

  private search(afterMs: number): number | null {
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

const DAY_MS = 86_400_000;
const SECONDS_A_DAY = 86_400;

/**
 * Which times of day a pattern matches. Seconds, minutes and hours are independent sets, and
 * only the date decides whether a day matches at all: on a matching day the matches are
 * hours x minutes x seconds. Prefix counts answer "how many before second s" in O(1).
 */
interface DayShape {
  hours: number[];
  minutes: number[];
  /** The matching hours and minutes, ascending. */
  hourList: number[];
  minuteList: number[];
  /** Minutes with matches on a matching day. */
  minutesADay: number;
  /** hoursBefore[h]: matching hours below h (25 entries). */
  hoursBefore: number[];
  minutesBefore: number[];
  secondsBefore: number[];
  perHour: number;
  perMinute: number;
}

function prefixCounts(flags: number[]): number[] {
  const before = [0];
  for (const flag of flags) before.push(before[before.length - 1]! + (flag ? 1 : 0));
  return before;
}

function dayShapeOf(pattern: CronPattern): DayShape {
  const [hoursBefore, minutesBefore, secondsBefore] = [prefixCounts(pattern.hour), prefixCounts(pattern.minute), prefixCounts(pattern.second)];
  const perMinute = secondsBefore[60]!;
  const listOf = (flags: number[]) => flags.flatMap((flag, i) => (flag ? [i] : []));
  const [hourList, minuteList] = [listOf(pattern.hour), listOf(pattern.minute)];
  return {
    hours: pattern.hour,
    minutes: pattern.minute,
    hourList,
    minuteList,
    minutesADay: hourList.length * minuteList.length,
    hoursBefore,
    minutesBefore,
    secondsBefore,
    perMinute,
    perHour: minutesBefore[60]! * perMinute,
  };
}

/** Matches on a matching day at seconds of the day below `second` (0..86,400). */
function matchesBefore(day: DayShape, second: number): number {
  const hour = Math.floor(second / 3600);
  let count = day.hoursBefore[hour]! * day.perHour;
  if (hour < 24 && day.hours[hour]) {
    const minute = Math.floor((second % 3600) / 60);
    count += day.minutesBefore[minute]! * day.perMinute;
    if (day.minutes[minute]) count += day.secondsBefore[second % 60]!;
  }
  return count;
}

/**
 * Adds the wall-clock matches in [fromWall, toWall) to the spans they fall in; span k covers
 * wall-clock times [spans.fromWall + k * widthMs, + widthMs). One croner call per matching day.
 */
function countWallMatches(cron: Cron, day: DayShape, fromWall: number, toWall: number, spans: { fromWall: number; widthMs: number; counts: number[] }): void {
  // Matches are whole seconds: the ones at or after `wall` on the day starting at dayStart.
  const secondOf = (dayStart: number, wall: number) => Math.min(SECONDS_A_DAY, Math.max(0, Math.ceil((wall - dayStart) / 1000)));
  let searchAfter = fromWall - 1;
  while (searchAfter < toWall) {
    const match = cron.nextRun(new Date(searchAfter))?.getTime() ?? null;
    if (match === null || match >= toWall) return;
    const dayStart = Math.floor(match / DAY_MS) * DAY_MS;
    const [from, to] = [match, Math.min(toWall, dayStart + DAY_MS)];
    const addBetween = (lo: number, hi: number) => {
      for (let k = Math.floor((lo - spans.fromWall) / spans.widthMs); k < spans.counts.length; k++) {
        const spanStart = spans.fromWall + k * spans.widthMs;
        if (spanStart >= hi) break;
        const [a, b] = [Math.max(lo, spanStart), Math.min(hi, spanStart + spans.widthMs)];
        if (a < b) spans.counts[k]! += matchesBefore(day, secondOf(dayStart, b)) - matchesBefore(day, secondOf(dayStart, a));
      }
    };
    // Span by span, or matching minute by matching minute, whichever is fewer (a daily job: one minute).
    if (day.minutesADay >= (to - from) / spans.widthMs) addBetween(from, to);
    else {
      for (const hour of day.hourList) {
        for (const minute of day.minuteList) {
          const minuteStart = dayStart + (hour * 60 + minute) * 60_000;
          if (minuteStart + 60_000 > from && minuteStart < to) addBetween(Math.max(from, minuteStart), Math.min(to, minuteStart + 60_000));
        }
      }
    }
    searchAfter = dayStart + DAY_MS - 1;
  }
}
