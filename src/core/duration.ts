/**
 * Durations as users write them: "30s", "1h", "2 days" (the `ms` library), ISO 8601
 * "PT1H30M" (fixed-length units only), or a bare number of seconds.
 */
import ms from 'ms';
import { parse as parseIsoDuration } from 'iso8601-duration';

export type DurationInput = string | number;

const MAX_DURATION_MS = 10 * 365 * 24 * 3600 * 1000;

const NOT_A_DURATION = 'is not a duration (try "30s", "5m", "2h", "1d" or "PT1H")';

/** Milliseconds, or an error message that names what is wrong. Never throws, whatever the input. */
export function parseDuration(input: DurationInput): { ok: true; ms: number } | { ok: false; message: string } {
  let value: number | undefined;
  if (typeof input === 'number') {
    value = input * 1000;
  } else if (typeof input !== 'string') {
    return { ok: false, message: `${typeof input} ${NOT_A_DURATION}` };
  } else if (input.trim() === '') {
    return { ok: false, message: `an empty string ${NOT_A_DURATION}` };
  } else if (/^P/i.test(input.trim())) {
    try {
      const d = parseIsoDuration(input.trim().toUpperCase());
      if (d.years || d.months) {
        return { ok: false, message: `"${input}": years and months have no fixed length here; use days` };
      }
      value =
        ((((d.weeks ?? 0) * 7 + (d.days ?? 0)) * 24 + (d.hours ?? 0)) * 60 + (d.minutes ?? 0)) * 60_000 +
        (d.seconds ?? 0) * 1000;
    } catch {
      return { ok: false, message: `"${input}" is not an ISO 8601 duration` };
    }
  } else {
    // ms("5") means 5 ms; we want a unit from the user unless they give a number.
    value = /^\s*\d+(\.\d+)?\s*$/.test(input) ? undefined : ms(input.trim() as ms.StringValue);
  }
  if (value === undefined || !Number.isFinite(value)) {
    return { ok: false, message: `"${input}" ${NOT_A_DURATION}` };
  }
  if (value < 0) return { ok: false, message: `"${input}" is negative` };
  if (value > MAX_DURATION_MS) return { ok: false, message: `"${input}" is longer than ten years` };
  return { ok: true, ms: Math.round(value) };
}

/** The shortest readable form, for tables and messages. */
export function formatDuration(millis: number): string {
  return ms(millis);
}
