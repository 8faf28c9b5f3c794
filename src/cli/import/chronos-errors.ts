/** The job schema's errors name moroccron fields; the Chronos field each came from is named beside it. */
import type { FieldError } from '../../core/field-error.js';

const CHRONOS_FIELD_OF: readonly [RegExp, string][] = [
  [/^resources\.(cpus|mem|disk)$/, '$1'],
  [/^misfire\.window$/, 'epsilon'],
  [/^retries\.max$/, 'retries'],
  [/^timezone$/, 'scheduleTimeZone'],
  [/^after(\[\d+\])?$/, 'parents$1'],
  [/^env(\..*)?$/, 'environmentVariables'],
  [/^args(\[\d+\])?$/, 'command, arguments'],
  [/^paused$/, 'disabled'],
  [/^concurrency$/, 'concurrent'],
  [/^user$/, 'runAsUser'],
  [/^container\.forcePull$/, 'container.forcePullImage'],
];

/** `misfire.window` → `misfire.window (Chronos epsilon)`; a field of the same name is left as it is. */
export function withChronosField(error: FieldError): FieldError {
  for (const [pattern, chronos] of CHRONOS_FIELD_OF) {
    if (pattern.test(error.field)) return { ...error, field: `${error.field} (Chronos ${error.field.replace(pattern, chronos)})` };
  }
  return error;
}
