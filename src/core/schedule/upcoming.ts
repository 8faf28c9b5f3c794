/**
 * A schedule's next occurrences as people read them: the local time and offset of each, and
 * what a DST change did to it. Whatever a note says is read off the schedule itself (what
 * next() gives, what firstNamedWallClock asks for), so it cannot disagree with when jobs run.
 */
import type { Schedule } from './types.js';
import { instantsAt, segmentAt, wallClockAt, type OffsetSegment } from './time-zone.js';

export interface UpcomingOccurrence {
  at: number;
  /** The wall clock in the job's zone at `at` (see time-zone.ts). */
  wall: number;
  /** Milliseconds to add to `at` for the wall clock. */
  offset: number;
  /** `gap`: a time the schedule asks for does not exist nearby; `overlap`: this local time happens twice. */
  dst: 'gap' | 'overlap' | null;
  note: string | null;
}

/** The first `count` occurrences at or after `fromMs`. */
export function upcomingOccurrences(schedule: Schedule, timeZone: string, fromMs: number, count: number): UpcomingOccurrence[] {
  const out: UpcomingOccurrence[] = [];
  let previous = fromMs - 1;
  for (let at = schedule.next(previous); at !== null && out.length < count; previous = at, at = schedule.next(at)) {
    const wall = wallClockAt(timeZone, at);
    const gap = gapNote(schedule, timeZone, previous, at);
    const overlap = overlapNote(schedule, timeZone, at, wall);
    const notes = [gap, overlap].filter((n): n is string => n !== null);
    out.push({ at, wall, offset: wall - at, dst: gap !== null ? 'gap' : overlap !== null ? 'overlap' : null, note: notes.length > 0 ? notes.join('; ') : null });
  }
  return out;
}

/** A gap this far before an occurrence is looked at: a schedule with longer pauses gets no note for what a gap took. */
const GAP_LOOKBACK_MS = 366 * 86_400_000;

/** Clocks jumped forward after `previous` and up to `at`, over a time the schedule asks for. */
function gapNote(schedule: Schedule, timeZone: string, previous: number, at: number): string | null {
  const notes: string[] = [];
  for (let segment = segmentAt(timeZone, Math.max(previous, at - GAP_LOOKBACK_MS)); segment.end <= at; ) {
    const following: OffsetSegment = segmentAt(timeZone, segment.end);
    segment = following;
    if (following.offset <= following.offsetBefore) continue;
    const [gapFrom, gapTo] = [following.start + following.offsetBefore, following.start + following.offset];
    const named = schedule.firstNamedWallClock(gapFrom, gapTo);
    if (named === null) continue;
    const several = schedule.firstNamedWallClock(named + 1, gapTo) !== null;
    const what = several ? `times from ${clock(named)} to ${clock(gapTo)}` : clock(named);
    const jump = `clocks jump from ${clock(gapFrom)} to ${clock(gapTo)}`;
    const missing = `${what} ${several ? 'do' : 'does'} not exist on ${date(gapFrom)} (${jump})`;
    if (schedule.dst.gap === 'skip') notes.push(`${missing}; ${several ? 'those runs are' : 'that run is'} skipped (dst.gap: skip)`);
    else notes.push(`${missing}; ${several ? 'they run once' : 'runs'} at ${clock(gapTo)} instead (dst.gap: next)`);
  }
  return notes.length > 0 ? notes.join('; ') : null;
}

/** This local time happens twice (clocks fell back): which of the two this is, and whether the other runs too. */
function overlapNote(schedule: Schedule, timeZone: string, at: number, wall: number): string | null {
  const instants = instantsAt(timeZone, wall);
  if (instants.length !== 2) return null;
  const [first, second] = instants as [number, number];
  const fallBack = segmentAt(timeZone, second);
  const back = `clocks go back from ${clock(fallBack.start + fallBack.offsetBefore)} to ${clock(fallBack.start + fallBack.offset)}`;
  const runsAt = (instant: number) => schedule.next(instant - 1) === instant;
  const [firstOffset, secondOffset] = [offsetText(wall - first), offsetText(wall - second)];
  if (at === first) {
    const also = runsAt(second) ? `runs at both; this is the first (${firstOffset}), the second is at ${secondOffset}` : `runs only at the first (${firstOffset})`;
    return `${clock(wall)} happens twice on ${date(wall)} (${back}); ${also}`;
  }
  const also = runsAt(first) ? `; the first (${firstOffset}) runs too` : '';
  return `the second ${clock(wall)} on ${date(wall)} (${secondOffset}), after ${back}${also}`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** 02:30, or 02:30:15 when the seconds are not zero. */
function clock(wall: number): string {
  const d = new Date(wall);
  const seconds = d.getUTCSeconds();
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${seconds ? `:${pad(seconds)}` : ''}`;
}

const date = (wall: number): string => new Date(wall).toISOString().slice(0, 10);

/** A wall-clock time as `2026-03-29 03:00:00`. */
export const localText = (wall: number): string => new Date(wall).toISOString().slice(0, 19).replace('T', ' ');

/** An offset as `+02:00` or `-04:00` (`+05:45`). */
export function offsetText(offsetMs: number): string {
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  return `${offsetMs < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}
