/** How commands answer: typed successes, and failures with a status and the fields at fault. */
import type { Ctx } from './context.js';
import type { FieldError } from './job-spec.js';
import type { Command, CommandFailure, CommandResult, CommandValues, JobSpec } from './types.js';

export const failure = (status: CommandFailure['status'], code: string, message: string, details?: FieldError[]): CommandFailure => ({
  ok: false,
  status,
  code,
  message,
  ...(details ? { details } : {}),
});

export const notFound = (what: string): CommandFailure => failure(404, 'not_found', `${what} not found`);
export const conflict = (message: string): CommandFailure => failure(409, 'conflict', message);
export const invalid = (errors: FieldError[]): CommandFailure => failure(400, 'invalid', `${errors[0]!.field}: ${errors[0]!.message}`, errors);

export const ok = <K extends Command['kind']>(kind: K, value: CommandValues[K], created?: boolean): CommandResult<K> =>
  ({ ok: true, kind, value, ...(created !== undefined ? { created } : {}) }) as CommandResult<K>;

export const specsOf = (ctx: Ctx): Map<string, JobSpec> => new Map([...ctx.s.jobs].map(([name, e]) => [name, e.stored.spec]));
