/**
 * Reading a Chronos job as JSON gives it: every field may be missing or of another type, and
 * Chronos itself writes numbers as strings at times ("cpus": "0.5" in its own docs).
 */

/** One Chronos job (an element of GET /v1/scheduler/jobs), not yet trusted. */
export type ChronosJob = Readonly<Record<string, unknown>>;

/** A message about one job, as shown above it in the YAML and on standard error. */
export const notImported = (field: string, why: string): string => `not imported: ${field} (${why})`;

export const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A string field; numbers and booleans are written as text, anything else is absent. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A number, or a string that is one ("0.5"); anything else is returned as it is, for the schema to name. */
export function numeric(value: unknown): unknown {
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return value;
}

/** true, or the string "true" (Chronos reads booleans with Jackson's asBoolean). */
export const isTrue = (value: unknown): boolean => value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');

export const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

/**
 * A value that asks for nothing: what Chronos writes for a field nobody set (false, "", 0, [],
 * null). Such a field is not listed as "not imported": there is nothing to miss.
 */
export function isNeutral(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '' || value === 0) return true;
  if (typeof value === 'string') return value.trim() === '' || value.trim().toLowerCase() === 'false';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}
