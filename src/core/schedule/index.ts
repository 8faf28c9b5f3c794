/**
 * Schedules: when a job's next occurrence is. Pure: every time is epoch milliseconds and
 * nothing here reads the clock.
 */
import { parseCron } from './cron.js';
import { isIsoInterval, parseIsoInterval } from './iso-interval.js';
import { isValidTimeZone } from './time-zone.js';
import type { DstRule, Schedule } from './types.js';

export type { DstRule, Schedule } from './types.js';

/**
 * A cron expression or an ISO 8601 repeating interval, read in `timezone`.
 * Throws an Error with a one-line message for the user, starting with the quoted expression.
 */
export function parseSchedule(expr: string, opts: { timezone: string; dst?: DstRule | undefined }): Schedule {
  const key = `${expr}\u0000${opts.timezone}\u0000${opts.dst ? `${opts.dst.gap} ${opts.dst.overlap}` : ''}`;
  let schedule = schedules.get(key);
  if (schedule === undefined) {
    schedule = parsed(expr, opts);
    if (schedules.size >= SHARED_SCHEDULES) schedules.delete(schedules.keys().next().value!);
    schedules.set(key, schedule);
  }
  return schedule;
}

/**
 * Schedules are immutable, so jobs with the same expression, zone and rule share one: with
 * 100,000 jobs a few thousand schedules, and each one's next() answer serves all its jobs
 * (see CronSchedule). Beyond this many the oldest made is forgotten (jobs keep theirs).
 */
const SHARED_SCHEDULES = 65_536;
const schedules = new Map<string, Schedule>();

function parsed(expr: string, opts: { timezone: string; dst?: DstRule | undefined }): Schedule {
  const text = expr.trim();
  if (!isValidTimeZone(opts.timezone)) {
    throw new Error(`${JSON.stringify(text)}: unknown time zone ${JSON.stringify(opts.timezone)}`);
  }
  return isIsoInterval(text) ? parseIsoInterval(text, opts.timezone, opts.dst) : parseCron(text, opts.timezone, opts.dst);
}
