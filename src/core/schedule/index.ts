/**
 * Schedules: when a job's next occurrence is. Pure: every time is epoch milliseconds and
 * nothing here reads the clock.
 */
import { parseCron } from './cron.js';
import { isIsoInterval, parseIsoInterval } from './iso-interval.js';
import { isValidTimeZone } from './time-zone.js';

/**
 * What to do with a local time that does not exist (gap, clocks spring forward) or that
 * happens twice (overlap, clocks fall back).
 */
export type DstRule = { gap: 'next' | 'skip'; overlap: 'once' | 'twice' };

export interface Schedule {
  readonly kind: 'cron' | 'iso';
  /** First occurrence strictly after `afterMs`, or null when the schedule has no more occurrences. */
  next(afterMs: number): number | null;
}

/**
 * A cron expression or an ISO 8601 repeating interval, read in `timezone`.
 * Throws an Error with a one-line message for the user, starting with the quoted expression.
 */
export function parseSchedule(expr: string, opts: { timezone: string; dst?: DstRule | undefined }): Schedule {
  const text = expr.trim();
  if (!isValidTimeZone(opts.timezone)) {
    throw new Error(`${JSON.stringify(text)}: unknown time zone ${JSON.stringify(opts.timezone)}`);
  }
  return isIsoInterval(text) ? parseIsoInterval(text, opts.timezone, opts.dst) : parseCron(text, opts.timezone, opts.dst);
}
