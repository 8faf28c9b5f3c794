/**
 * ISO 8601 repeating intervals: `R/<start>/<duration>` (unbounded) and `Rn/<start>/<duration>`
 * (n occurrences, the first at start). Hours, minutes and seconds are elapsed time; years,
 * months, weeks and days move the wall clock in the job's zone, always counted from the start
 * (Jan 31 + P1M = Feb 28, + 2 months = Mar 31). Each occurrence is one instant: a local time
 * that happens twice takes the earlier one; one in a gap follows the rule's `gap`.
 */
import { parse as parseDuration, pattern as durationPattern } from 'iso8601-duration';
import type { DstRule, Schedule } from './types.js';
import {
  EARLIEST_INSTANT,
  LATEST_INSTANT,
  daysInMonth,
  wallClockAt,
  wallClockOf,
  wallClockToInstant,
} from './time-zone.js';

const DAY = 86_400_000;
const AVERAGE_MONTH = (146_097 / 4800) * DAY;
const DEFAULT_RULE: DstRule = { gap: 'next', overlap: 'once' };

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;
const WHOLE_DURATION = new RegExp(`^${durationPattern.source}$`);

export function isIsoInterval(text: string): boolean {
  return /^R[^\s/]*\//i.test(text);
}

export function parseIsoInterval(expr: string, timeZone: string, dst?: DstRule): Schedule {
  const invalid = (why: string) => new Error(`${JSON.stringify(expr)}: ${why}`);
  const parts = expr.split('/');
  if (parts.length !== 3) throw invalid('expected R[n]/<start>/<duration>, e.g. R/2026-01-01T00:00:00Z/PT1H');
  const [head, startText, durationText] = parts as [string, string, string];
  const repetitions = /^R(\d*)$/i.exec(head);
  if (repetitions === null) throw invalid(`"${head}" should be R (unbounded) or Rn with n a whole number`);
  if (/^P/i.test(startText)) throw invalid('<duration>/<end> is not supported, use R[n]/<start>/<duration>');
  if (/^\d/.test(durationText)) throw invalid('<start>/<end> is not supported, use R[n]/<start>/<duration>');
  if (durationText.startsWith('-')) throw invalid('the duration is negative');
  const start = readDateTime(startText.toUpperCase());
  if (start === null) throw invalid(`start "${startText}" is not an ISO 8601 date-time such as 2026-01-01T00:00:00Z`);
  if (start.wall < EARLIEST_INSTANT + DAY) throw invalid(`start "${startText}" is before the year 1000`);
  const step = readDuration(durationText.toUpperCase());
  if (step === null) throw invalid(`"${durationText}" is not an ISO 8601 duration such as PT1H or P1D`);
  if (step.months === 0 && step.days === 0 && step.exactMs <= 0) throw invalid('the duration is zero');
  if (step.months === 0 && step.days === 0 && step.exactMs < 1000) throw invalid('the duration is shorter than a second');

  const rule = dst ?? DEFAULT_RULE;
  let origin: number;
  let originSkipped = false;
  let originWall: number;
  if (start.offset === null) {
    originWall = start.wall;
    origin = wallClockToInstant(timeZone, start.wall, 'next');
    originSkipped = wallClockToInstant(timeZone, start.wall, rule.gap) === null;
  } else {
    origin = start.wall - start.offset;
    originWall = wallClockAt(timeZone, origin);
  }
  const count = repetitions[1] === '' ? Number.POSITIVE_INFINITY : Number(repetitions[1]);
  return new IsoSchedule({ timeZone, rule, count, origin, originSkipped, originWall, localStart: start.offset === null, step });
}

interface Step {
  /** Calendar months (years included) added on the wall clock. */
  months: number;
  /** Calendar days (weeks included) added on the wall clock. */
  days: number;
  /** Elapsed milliseconds. */
  exactMs: number;
}

interface IsoScheduleSpec {
  timeZone: string;
  rule: DstRule;
  count: number;
  /** Occurrence 0; for a local start in a gap, the end of the gap. */
  origin: number;
  /** A local start in a gap under gap 'skip': occurrence 0 does not run. */
  originSkipped: boolean;
  originWall: number;
  /** The start was written without an offset: occurrence 0 is a wall-clock time too. */
  localStart: boolean;
  step: Step;
}

class IsoSchedule implements Schedule {
  readonly kind = 'iso';
  private readonly calendar: boolean;
  private readonly approximatePeriod: number;
  private readonly startDate: { year: number; month: number; day: number; timeOfDay: number };

  constructor(private readonly spec: IsoScheduleSpec) {
    const { step, originWall } = spec;
    this.calendar = step.months !== 0 || step.days !== 0;
    this.approximatePeriod = step.months * AVERAGE_MONTH + step.days * DAY + step.exactMs;
    const date = new Date(originWall);
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
    this.startDate = { year, month, day, timeOfDay: originWall - wallClockOf(year, month, day) };
  }

  get dst(): DstRule {
    return { ...this.spec.rule };
  }

  countPerSpan(fromMs: number, widthMs: number, spans: number): number[] {
    const counts = new Array<number>(spans).fill(0);
    const end = Math.min(fromMs + widthMs * spans, LATEST_INSTANT + 1);
    if (!this.calendar) {
      // Occurrence k is at origin + k * step: count the k in each span.
      const { origin, originSkipped, count, step } = this.spec;
      const firstIndexFrom = (t: number) => Math.min(count, Math.max(0, Math.ceil((t - origin) / step.exactMs)));
      for (let i = 0; i < spans; i++) {
        const [lo, hi] = [fromMs + i * widthMs, Math.min(end, fromMs + (i + 1) * widthMs)];
        if (lo >= hi) break;
        const [first, last] = [firstIndexFrom(lo), firstIndexFrom(hi)];
        counts[i] = Math.max(0, last - first) - (originSkipped && first === 0 && last > 0 ? 1 : 0);
      }
      return counts;
    }
    // Calendar steps are a day or longer: few occurrences in any window.
    for (let t = this.next(fromMs - 1); t !== null && t < end; t = this.next(t)) counts[Math.floor((t - fromMs) / widthMs)]! += 1;
    return counts;
  }

  firstNamedWallClock(fromWall: number, toWall: number): number | null {
    const { originWall, localStart, count } = this.spec;
    if (!this.calendar) return localStart && count > 0 && originWall >= fromWall && originWall < toWall ? originWall : null;
    let k = Math.max(0, Math.floor((fromWall - originWall) / this.approximatePeriod));
    while (k > 0 && this.wallOf(k - 1) >= fromWall) k--;
    while (k < count && this.wallOf(k) < fromWall) k++;
    // An absolute start is an instant, not a wall-clock time the schedule asks for.
    if (k === 0 && !localStart) k = 1;
    if (k >= count) return null;
    const wall = this.wallOf(k);
    return wall < toWall ? wall : null;
  }

  next(afterMs: number): number | null {
    if (!(afterMs < LATEST_INSTANT)) return null;
    const after = Math.max(afterMs, EARLIEST_INSTANT);
    for (let k = this.firstIndexAfter(after); k < this.spec.count; k++) {
      const occurrence = this.occurrence(k);
      if (occurrence.at > LATEST_INSTANT) return null;
      if (!occurrence.skipped) return occurrence.at;
    }
    return null;
  }

  /** The smallest k whose occurrence is after `after`, computed, not counted from the start. */
  private firstIndexAfter(after: number): number {
    const { origin, step } = this.spec;
    if (after < origin) return 0;
    if (!this.calendar) return Math.floor((after - origin) / step.exactMs) + 1;
    // Month lengths and DST shifts make the estimate off by at most one or two.
    let k = Math.max(0, Math.floor((after - origin) / this.approximatePeriod));
    while (k > 0 && this.occurrence(k - 1).at > after) k--;
    while (this.occurrence(k).at <= after) k++;
    return k;
  }

  /** The wall-clock time calendar occurrence k asks for, before the elapsed part of the step. */
  private wallOf(k: number): number {
    if (k === 0) return this.spec.originWall;
    const { step } = this.spec;
    const { year, month, day, timeOfDay } = this.startDate;
    const monthIndex = month + k * step.months;
    const targetYear = year + Math.floor(monthIndex / 12);
    const targetMonth = ((monthIndex % 12) + 12) % 12;
    const targetDay = Math.min(day, daysInMonth(targetYear, targetMonth));
    return wallClockOf(targetYear, targetMonth, targetDay) + timeOfDay + k * step.days * DAY;
  }

  /** Occurrence k, ascending in k; `skipped` when its local time falls in a gap under gap 'skip'. */
  private occurrence(k: number): { at: number; skipped: boolean } {
    const { origin, originSkipped, step, timeZone, rule } = this.spec;
    if (k === 0) return { at: origin, skipped: originSkipped };
    if (!this.calendar) return { at: origin + k * step.exactMs, skipped: false };
    const wall = this.wallOf(k);
    if (!(wall <= LATEST_INSTANT + DAY)) return { at: Number.POSITIVE_INFINITY, skipped: false };
    const instant = wallClockToInstant(timeZone, wall, rule.gap);
    const elapsed = k * step.exactMs;
    if (instant === null) return { at: wallClockToInstant(timeZone, wall, 'next') + elapsed, skipped: true };
    return { at: instant + elapsed, skipped: false };
  }
}

/** A date-time's wall-clock fields, and its UTC offset when it has one (Z, +01:00, -0530, +09). */
function readDateTime(text: string): { wall: number; offset: number | null } | null {
  const m = DATE_TIME.exec(text);
  if (m === null) return null;
  const field = (i: number) => Number(m[i] ?? 0);
  const [year, month, day, hour, minute, second] = [field(1), field(2), field(3), field(4), field(5), field(6)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month - 1)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const ms = Number((m[7] ?? '').slice(0, 3).padEnd(3, '0'));
  const wall = wallClockOf(year, month - 1, day, hour, minute, second, ms);
  if (m[8] === 'Z') return { wall, offset: 0 };
  if (m[9] === undefined) return { wall, offset: null };
  const [offsetHours, offsetMinutes] = [field(10), field(11)];
  if (offsetHours > 23 || offsetMinutes > 59) return null;
  return { wall, offset: (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000 };
}

function readDuration(text: string): Step | null {
  const normalized = text.replace(/,/g, '.');
  if (!WHOLE_DURATION.test(normalized)) return null;
  try {
    const d = parseDuration(normalized);
    return {
      months: (d.years ?? 0) * 12 + (d.months ?? 0),
      days: (d.weeks ?? 0) * 7 + (d.days ?? 0),
      exactMs: Math.round((((d.hours ?? 0) * 60 + (d.minutes ?? 0)) * 60 + (d.seconds ?? 0)) * 1000),
    };
  } catch {
    return null;
  }
}
