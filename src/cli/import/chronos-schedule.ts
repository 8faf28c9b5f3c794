/**
 * A Chronos `schedule` ("R[n]/start/period", ISO 8601) and `scheduleTimeZone` as a moroccron
 * schedule and timezone. moroccron's parser reads what Chronos writes (fractions of a second,
 * offsets, calendar periods); what differs is the meaning of a few forms, handled here.
 */
import { text } from './chronos-fields.js';

export interface ScheduleConversion {
  schedule?: string;
  timezone?: string;
  messages: string[];
}

/** Chronos's own pattern (Iso8601Expressions): repetitions, start (may be empty), period. */
const CHRONOS_INTERVAL = /^(R\d*)\/(.*)\/(P.*)$/;

/** The UTC offset at the end of a start that has a time of day: "Z", "+01:00", "-0800", "+09". */
const START_OFFSET = /(T[\d:.,]+)(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

const wholeSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function convertSchedule(schedule: unknown, scheduleTimeZone: unknown, now: number): ScheduleConversion {
  const zone = text(scheduleTimeZone)?.trim() ?? '';
  const expression = text(schedule)?.trim() ?? '';
  const messages: string[] = [];
  const timezone = zone === '' ? {} : { timezone: zone };
  if (expression === '') {
    messages.push('no schedule and no parents: Chronos ran the job once when it was added; here it runs when started (moroccron run <job>)');
    return { ...timezone, messages };
  }
  const parts = CHRONOS_INTERVAL.exec(expression);
  // Not Chronos's form: passed on as it is, for the job schema to say what is wrong with it.
  if (parts === null) return { schedule: expression, ...timezone, messages };
  const [, repetitions, givenStart, period] = parts as unknown as [string, string, string, string];

  let start = givenStart;
  if (start === '') {
    start = wholeSeconds(now);
    messages.push(`the schedule has no start (Chronos starts such a job at once): it starts at ${start}, the time of the import`);
  } else if (zone !== '') {
    // Chronos keeps the start's date and time and puts them in scheduleTimeZone
    // (Joda's withZoneRetainFields): without its offset, moroccron reads it the same way.
    start = start.replace(START_OFFSET, '$1');
  } else if (!START_OFFSET.test(start)) {
    messages.push(`the schedule's start has no UTC offset and there is no scheduleTimeZone: Chronos read it in its server's time zone, moroccron reads it as UTC`);
  }
  if (repetitions === 'R0') messages.push('the schedule has no repetitions left (R0): the job never runs on its schedule');
  return { schedule: `${repetitions}/${start}/${period}`, ...timezone, messages };
}
