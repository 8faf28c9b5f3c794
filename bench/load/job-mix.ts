/**
 * Many jobs as an installation would have them, the same for moroccron and for the croner
 * comparison. `realistic`: daily jobs at a minute of the day (1,440 patterns), weekly ones
 * (10,080), and hourly ones at a second of the hour (3,600); three time zones. `distinct`:
 * every job at its own second of the day (up to 86,400 patterns), the worst case for
 * anything that parses patterns.
 */
export type JobMix = 'realistic' | 'distinct';

export const JOB_MIXES: readonly JobMix[] = ['realistic', 'distinct'];

const ZONES = ['UTC', 'Europe/Paris', 'America/New_York'];

export function scheduleOf(i: number, mix: JobMix): string {
  const [second, minute, hour] = [i % 60, Math.floor(i / 60) % 60, Math.floor(i / 3600) % 24];
  if (mix === 'distinct') return `${second} ${minute} ${hour} * * *`;
  switch (i % 10) {
    case 7:
    case 8:
      return `${minute} ${hour} * * ${Math.floor(i / 1440) % 7}`;
    case 9:
      return `${second} ${minute} * * * *`;
    default:
      return `${minute} ${hour} * * *`;
  }
}

export const timezoneOf = (i: number): string => ZONES[i % ZONES.length]!;

export const jobNameOf = (i: number): string => `scale-${String(i).padStart(6, '0')}`;
