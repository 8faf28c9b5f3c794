/** Reading the timeline's buckets: their times in the viewer's zone, the busiest ones, hour ticks, heat levels. */
import type { Timeline } from '../api/types';
import { VIEWER_ZONE } from './format';

const MINUTE = 60_000;

const clock = new Intl.DateTimeFormat('en-GB', { timeZone: VIEWER_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const weekday = new Intl.DateTimeFormat('en-GB', { timeZone: VIEWER_ZONE, weekday: 'short' });
const parts = new Intl.DateTimeFormat('en-GB', { timeZone: VIEWER_ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

export const clockTime = (t: number): string => clock.format(t);
export const dayName = (t: number): string => weekday.format(t);

/** Minutes and seconds past the hour on the viewer's clock (zones may be off the UTC hour by 30 or 45 minutes). */
function pastLocalHour(t: number): number {
  const p = parts.formatToParts(t);
  const get = (type: string) => Number(p.find((x) => x.type === type)?.value ?? 0);
  return (get('minute') * 60 + get('second')) * 1000 + (t % 1000);
}

/** The start of the viewer's clock hour that holds `t`. */
export const localHourStart = (t: number): number => t - pastLocalHour(t);

export interface BucketTimes {
  start: number;
  end: number;
}

export function bucketTimes(timeline: Pick<Timeline, 'from' | 'bucketMinutes'>, index: number): BucketTimes {
  const start = Date.parse(timeline.from) + index * timeline.bucketMinutes * MINUTE;
  return { start, end: start + timeline.bucketMinutes * MINUTE };
}

/** "00:00–00:05", with the weekday when it is not today's. */
export function bucketLabel(timeline: Pick<Timeline, 'from' | 'bucketMinutes'>, index: number, now = Date.now()): string {
  const { start, end } = bucketTimes(timeline, index);
  const day = dayName(start) === dayName(now) ? '' : `${dayName(start)} `;
  return `${day}${clockTime(start)}–${clockTime(end)}`;
}

/** The bucket holding `t`, or null outside the timeline. */
export function bucketAt(timeline: Pick<Timeline, 'from' | 'bucketMinutes' | 'totals'>, t: number): number | null {
  const index = Math.floor((t - Date.parse(timeline.from)) / (timeline.bucketMinutes * MINUTE));
  return index >= 0 && index < timeline.totals.length ? index : null;
}

/** How many jobs fire in bucket `index` (the server counts them over every job). */
export const jobsIn = (timeline: Pick<Timeline, 'jobCounts'>, index: number): number => timeline.jobCounts[index] ?? 0;

export interface Busy {
  index: number;
  runs: number;
  jobs: number;
}

/** The median runs per bucket, empty buckets included: what a bucket holds when nothing piles up. */
export function typicalRuns(totals: readonly number[]): number {
  const sorted = [...totals].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Up to `count` buckets busier than the typical one, busiest first (earlier first on ties). */
export function busiestBuckets(timeline: Pick<Timeline, 'totals' | 'jobCounts'>, count: number): Busy[] {
  const typical = typicalRuns(timeline.totals);
  return timeline.totals
    .map((runs, index) => ({ index, runs }))
    .filter((b) => b.runs > typical)
    .sort((a, b) => b.runs - a.runs || a.index - b.index)
    .slice(0, count)
    .map((b) => ({ ...b, jobs: jobsIn(timeline, b.index) }));
}

export interface Tick {
  /** 0..1 across the timeline. */
  at: number;
  label: string;
  /** Midnight on the viewer's clock: labelled with the day. */
  day: boolean;
}

/**
 * Ticks at the viewer's clock hours (every `everyHours`; midnights always), placed across
 * [from, to); a tick closer than `minGap` (a fraction of the width) to the one before, or to
 * a midnight, is left out so labels never overlap.
 */
export function hourTicks(from: number, to: number, everyHours: number, minGap = 0): Tick[] {
  const candidates: Tick[] = [];
  const span = to - from;
  for (let t = localHourStart(from); t < to; t += 15 * MINUTE) {
    if (t < from || pastLocalHour(t) !== 0) continue;
    const label = clockTime(t);
    const hour = Number(label.slice(0, 2));
    const day = hour === 0;
    if (!day && hour % everyHours !== 0) continue;
    candidates.push({ at: (t - from) / span, label: day ? `${dayName(t)} 00:00` : label, day });
  }
  const days = candidates.filter((t) => t.day);
  const kept: Tick[] = [];
  for (const tick of candidates) {
    const crowded = !tick.day && (days.some((d) => Math.abs(d.at - tick.at) < minGap * 1.4) || (kept.length > 0 && tick.at - kept[kept.length - 1]!.at < minGap));
    if (!crowded) kept.push(tick);
  }
  return kept;
}

/** Of `choices` (ascending), the first step that leaves each of the `units` labels `labelPx` of room. */
export function tickStep(choices: readonly number[], units: number, widthPx: number, labelPx: number): number {
  return choices.find((step) => (units / step) * labelPx <= widthPx) ?? choices[choices.length - 1]!;
}

/** Minute ticks for an hour at one-minute resolution: every `everyMinutes`. */
export function minuteTicks(from: number, to: number, everyMinutes: number): Tick[] {
  const ticks: Tick[] = [];
  const span = to - from;
  for (let t = from; t < to; t += MINUTE) {
    const minutes = Math.round(pastLocalHour(t) / MINUTE);
    if (minutes % everyMinutes !== 0) continue;
    ticks.push({ at: (t - from) / span, label: clockTime(t), day: false });
  }
  return ticks;
}

/** The largest count in any of the rows (a loop: spreading 300,000 counts into Math.max overflows the stack). */
export function largest(rows: readonly (readonly number[])[]): number {
  let most = 0;
  for (const row of rows) for (const n of row) if (n > most) most = n;
  return most;
}

export const HEAT_LEVELS = 5;

/**
 * 0 for none, else 1..HEAT_LEVELS. Job rows use a square-root scale, so a job's few runs still
 * show next to a busy job's many; the all-jobs row is linear, so a pile-up stands out from the rest.
 */
export function heatLevel(count: number, max: number, scale: 'sqrt' | 'linear' = 'sqrt'): number {
  if (count <= 0 || max <= 0) return 0;
  const share = scale === 'sqrt' ? Math.sqrt(count / max) : count / max;
  return Math.min(HEAT_LEVELS, Math.max(1, Math.ceil(HEAT_LEVELS * share)));
}

/** The counts each level stands for, as heatLevel() assigns them; levels no whole count reaches are left out. */
export function heatRanges(max: number): { level: number; low: number; high: number }[] {
  const lowest = (level: number) => (level === 1 ? 1 : Math.floor(max * ((level - 1) / HEAT_LEVELS) ** 2) + 1);
  return Array.from({ length: HEAT_LEVELS }, (_, i) => i + 1)
    .map((level) => ({ level, low: lowest(level), high: level === HEAT_LEVELS ? max : lowest(level + 1) - 1 }))
    .filter((r) => r.low <= r.high);
}
