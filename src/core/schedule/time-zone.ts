/**
 * Wall clock <-> instant conversion for IANA time zones, built on Intl.DateTimeFormat.
 *
 * A wall-clock time is encoded as the epoch milliseconds its fields would have in UTC:
 * 02:30 on 2026-03-29 in any zone is `Date.UTC(2026, 2, 29, 2, 30)`. The offset of a zone
 * at an instant is `wall - instant`. A zone's timeline is a sequence of segments of constant
 * offset; transitions are found once per zone and UTC year (sampled daily, bisected to the
 * second) and cached, so later look-ups are a few array reads.
 */

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Wider than any offset a zone has ever had (local mean times reached about 15h56m). */
const OFFSET_BOUND = 26 * HOUR;

export interface Transition {
  /** First instant (whole second) with the new offset. */
  readonly at: number;
  readonly before: number;
  readonly after: number;
}

/** A stretch of time with one offset: instants in [start, end). */
export interface OffsetSegment {
  readonly start: number;
  readonly end: number;
  readonly offset: number;
  /** The offset just before `start`; equal to `offset` when `start` is only a year boundary. */
  readonly offsetBefore: number;
}

interface YearOffsets {
  readonly start: number;
  readonly end: number;
  readonly initialOffset: number;
  readonly transitions: readonly Transition[];
}

interface Zone {
  readonly format: Intl.DateTimeFormat;
  readonly years: Map<number, YearOffsets>;
}

const zones = new Map<string, Zone>();

function zoneFor(timeZone: string): Zone {
  let zone = zones.get(timeZone);
  if (zone === undefined) {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zone = { format, years: new Map() };
    zones.set(timeZone, zone);
  }
  return zone;
}

export function isValidTimeZone(tz: string): boolean {
  if (tz === '') return false;
  try {
    zoneFor(tz);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock milliseconds for calendar fields (month 0-11); correct for years 0-99 too. */
export function wallClockOf(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  // Date.UTC reads years 0-99 as 1900-1999; 400 Gregorian years later the calendar repeats.
  if (year >= 0 && year < 100) return Date.UTC(year + 400, month, day, hour, minute, second, ms) - 146_097 * DAY;
  return Date.UTC(year, month, day, hour, minute, second, ms);
}

/** The instants schedules handle: years 1000 to 9999. */
export const EARLIEST_INSTANT = wallClockOf(1000, 0, 1);
export const LATEST_INSTANT = wallClockOf(10000, 0, 1) - 1;

export function daysInMonth(year: number, month: number): number {
  return new Date(wallClockOf(year, month + 1, 0)).getUTCDate();
}

function measureOffset(zone: Zone, instant: number): number {
  const second = Math.floor(instant / SECOND) * SECOND;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let sec = 0;
  for (const part of zone.format.formatToParts(second)) {
    const value = Number(part.value);
    switch (part.type) {
      case 'year': year = value; break;
      case 'month': month = value; break;
      case 'day': day = value; break;
      case 'hour': hour = value; break;
      case 'minute': minute = value; break;
      case 'second': sec = value; break;
      default: break;
    }
  }
  return wallClockOf(year, month - 1, day, hour, minute, sec) - second;
}

/** Offsets of one UTC year: transitions with `at` in [start, end). */
function scanYear(zone: Zone, year: number): YearOffsets {
  const start = wallClockOf(year, 0, 1);
  const end = wallClockOf(year + 1, 0, 1);
  const initialOffset = measureOffset(zone, start - SECOND);
  const transitions: Transition[] = [];
  let previous = start - SECOND;
  let previousOffset = initialOffset;
  for (let sample = start; ; sample = Math.min(sample + DAY, end - SECOND)) {
    const offset = measureOffset(zone, sample);
    // Several transitions between two samples are found one after another, as long as
    // they do not cancel out within a day.
    let lo = previous;
    let loOffset = previousOffset;
    while (offset !== loOffset) {
      let hi = sample;
      while (hi - lo > SECOND) {
        const mid = lo + Math.floor((hi - lo) / (2 * SECOND)) * SECOND;
        if (measureOffset(zone, mid) === loOffset) lo = mid;
        else hi = mid;
      }
      const after = measureOffset(zone, hi);
      transitions.push({ at: hi, before: loOffset, after });
      lo = hi;
      loOffset = after;
    }
    if (sample === end - SECOND) break;
    previous = sample;
    previousOffset = offset;
  }
  return { start, end, initialOffset, transitions };
}

function yearOffsets(zone: Zone, year: number): YearOffsets {
  let offsets = zone.years.get(year);
  if (offsets === undefined) {
    if (!Number.isInteger(year) || year < 1 || year > 200_000) throw new RangeError(`year ${year} is out of range`);
    offsets = scanYear(zone, year);
    zone.years.set(year, offsets);
  }
  return offsets;
}

/** The transitions (offset changes) of a zone during one UTC year, in order. */
export function transitionsIn(timeZone: string, year: number): readonly Transition[] {
  return yearOffsets(zoneFor(timeZone), year).transitions;
}

/** The segment of constant offset that contains `instant`. Segments are also cut at UTC year boundaries. */
export function segmentAt(timeZone: string, instant: number): OffsetSegment {
  const offsets = yearOffsets(zoneFor(timeZone), new Date(instant).getUTCFullYear());
  const { transitions } = offsets;
  let i = transitions.length - 1;
  while (i >= 0 && (transitions[i] as Transition).at > instant) i--;
  const current = transitions[i];
  const following = transitions[i + 1];
  return {
    start: current?.at ?? offsets.start,
    end: following?.at ?? offsets.end,
    offset: current?.after ?? offsets.initialOffset,
    offsetBefore: current?.before ?? offsets.initialOffset,
  };
}

/** Milliseconds to add to an instant to get the zone's wall clock (e.g. +3_600_000 for CET). */
export function offsetAt(timeZone: string, instant: number): number {
  return segmentAt(timeZone, instant).offset;
}

export function wallClockAt(timeZone: string, instant: number): number {
  return instant + offsetAt(timeZone, instant);
}

interface WallClockLookup {
  /** The instants showing this wall-clock time, ascending: none in a gap, two in an overlap. */
  instants: number[];
  /** In a gap: the first instant after it (the transition). */
  gapEnd: number | null;
}

function lookUpWallClock(timeZone: string, wall: number): WallClockLookup {
  const instants: number[] = [];
  let gapEnd: number | null = null;
  let segment = segmentAt(timeZone, wall - OFFSET_BOUND);
  for (;;) {
    const instant = wall - segment.offset;
    if (instant >= segment.start && instant < segment.end) instants.push(instant);
    else if (gapEnd === null && segment.start + segment.offset > wall) gapEnd = segment.start;
    if (segment.end > wall + OFFSET_BOUND) break;
    segment = segmentAt(timeZone, segment.end);
  }
  return { instants, gapEnd: instants.length === 0 ? gapEnd : null };
}

/** The instants at which the zone's clocks show `wall`: [] in a gap, [t] normally, [t1, t2] in an overlap. */
export function instantsAt(timeZone: string, wall: number): number[] {
  return lookUpWallClock(timeZone, wall).instants;
}

/**
 * One instant for a wall-clock time: the earlier one when it occurs twice; when it does not
 * occur (a gap), the first instant after the gap for 'next', or null for 'skip'.
 */
export function wallClockToInstant(timeZone: string, wall: number, gap: 'next'): number;
export function wallClockToInstant(timeZone: string, wall: number, gap: 'next' | 'skip'): number | null;
export function wallClockToInstant(timeZone: string, wall: number, gap: 'next' | 'skip'): number | null {
  const { instants, gapEnd } = lookUpWallClock(timeZone, wall);
  const first = instants[0];
  if (first !== undefined) return first;
  if (gap === 'skip') return null;
  return gapEnd ?? wall - offsetAt(timeZone, wall); // a gap always ends within the look-up window
}
