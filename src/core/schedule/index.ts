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
  const text = expr.trim();
  if (!isValidTimeZone(opts.timezone)) {
    throw new Error(`${JSON.stringify(text)}: unknown time zone ${JSON.stringify(opts.timezone)}`);
  }
  return isIsoInterval(text) ? parseIsoInterval(text, opts.timezone, opts.dst) : parseCron(text, opts.timezone, opts.dst);
}
