/** Schedules in words: cron through cronstrue, ISO 8601 repeating intervals by hand. */
import cronstrue from 'cronstrue';
import { formatTime } from './format';

const DURATION = /^P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;
const UNITS = ['year', 'month', 'week', 'day', 'hour', 'minute', 'second'];

/** "PT1H30M" → "1 hour 30 minutes"; null when it is not an ISO 8601 duration. */
export function describeIsoDuration(text: string): string | null {
  const match = DURATION.exec(text.toUpperCase());
  if (!match || text.length < 3) return null;
  const parts = match
    .slice(1)
    .map((value, i) => (value === undefined ? null : { n: Number(value.replace(',', '.')), unit: UNITS[i]! }))
    .filter((p): p is { n: number; unit: string } => p !== null && p.n !== 0);
  if (parts.length === 0) return null;
  if (parts.length === 1 && parts[0]!.n === 1) return `${parts[0]!.unit}`;
  return parts.map((p) => `${p.n} ${p.unit}${p.n === 1 ? '' : 's'}`).join(' ');
}

function describeInterval(schedule: string, zone: string): string | null {
  const [repeat, start, period] = schedule.split('/');
  if (!repeat || !start || !period || !/^R\d*$/.test(repeat)) return null;
  const every = describeIsoDuration(period);
  if (!every) return null;
  const times = repeat.length > 1 ? Number(repeat.slice(1)) : null;
  const absolute = /(Z|[+-]\d\d(:?\d\d)?)$/.test(start);
  const from = absolute ? formatTime(start, { zone, seconds: false, zoneName: true }) : `${start.replace('T', ' ').slice(0, 16)} (${zone})`;
  const count = times === null ? '' : times === 1 ? ', once' : `, ${times} times`;
  return `Every ${every}, from ${from}${count}`;
}

/** The schedule in words, or null when it cannot be described (then show it as written). */
export function describeSchedule(schedule: string | undefined, zone = 'UTC'): string | null {
  if (!schedule) return null;
  const trimmed = schedule.trim();
  if (trimmed.startsWith('R')) return describeInterval(trimmed, zone);
  try {
    return cronstrue.toString(trimmed, { use24HourTimeFormat: true, throwExceptionOnParseError: true, verbose: false });
  } catch {
    return null;
  }
}
