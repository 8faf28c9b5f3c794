/**
 * The job spec: one zod schema validates API bodies and job files, fills defaults and is
 * also what the OpenAPI document describes.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { isValidTimeZone } from './schedule/time-zone.js';
import { parseSchedule } from './schedule/index.js';

export const NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]*$/;

export const name = (what: string) =>
  z
    .string()
    .min(1)
    .max(100)
    .regex(NAME_PATTERN, `${what} must match [a-z0-9][a-z0-9_.-]* (lower case, no "/")`)
    .refine((n) => !n.includes('..'), `${what} must not contain ".."`);

export const duration = z
  .union([z.string().min(1), z.number().nonnegative()])
  .superRefine((value, ctx) => {
    const parsed = parseDuration(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  })
  .describe('Duration: "30s", "5m", "2h", "1d", ISO 8601 "PT1H", or a number of seconds');

const CONSTRAINT_OPERATORS = ['EQUALS', 'LIKE', 'UNLIKE', 'UNIQUE', 'CLUSTER', 'GROUP_BY', 'MAX_PER'] as const;

const constraint = z
  .union([z.tuple([z.string().min(1), z.enum(CONSTRAINT_OPERATORS)]), z.tuple([z.string().min(1), z.enum(CONSTRAINT_OPERATORS), z.string()])])
  .superRefine((c, ctx) => {
    const [, op, value] = c;
    const needsValue = op === 'EQUALS' || op === 'LIKE' || op === 'UNLIKE' || op === 'MAX_PER';
    if (needsValue && value === undefined) ctx.addIssue({ code: 'custom', message: `${op} needs a value` });
    if (op === 'UNIQUE' && value !== undefined) ctx.addIssue({ code: 'custom', message: 'UNIQUE takes no value' });
    if ((op === 'MAX_PER' || op === 'GROUP_BY') && value !== undefined && !/^[1-9]\d*$/.test(value)) {
      ctx.addIssue({ code: 'custom', message: `${op} takes a positive integer` });
    }
    if ((op === 'LIKE' || op === 'UNLIKE') && value !== undefined) {
      try {
        new RegExp(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a valid regular expression` });
      }
    }
  })
  .describe('[attribute or "hostname", operator, value]');

const notifyTargets = z.array(z.string().min(1)).default([]).describe('"owner" (every owner of the job) or owner names');

export const jobSpecSchema = z
  .strictObject({
    name: name('name'),
    description: z.string().max(2000).optional(),
    schedule: z
      .string()
      .min(1)
      .optional()
      .describe('Cron (5 or 6 fields, @hourly ...) or ISO 8601 repeating interval "R[n]/start/duration"; absent = manual or dependency-only'),
    timezone: z.string().default('UTC').describe('IANA time zone the schedule is read in'),
    dst: z
      .strictObject({
        gap: z.enum(['next', 'skip']).describe('A local time that does not exist: run at the first valid instant after the gap, or skip'),
        overlap: z.enum(['once', 'twice']).describe('A local time that happens twice: run at the first only, or at both'),
      })
      .optional()
      .describe('Daylight-saving rule. Absent: fixed-time jobs (e.g. "30 2 * * *") run once and right after a gap; interval jobs ("*/5 * * * *") run at both repeated times and skip missing ones'),
    command: z.string().min(1).optional().describe('Shell command, run with /bin/sh -c'),
    args: z.array(z.string()).min(1).optional().describe('Program and arguments, run without a shell'),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are [A-Za-z_][A-Za-z0-9_]*'), z.string()).default({}),
    container: z
      .strictObject({
        image: z.string().min(1),
        forcePull: z.boolean().default(false),
        network: z.enum(['host', 'bridge', 'none']).default('host'),
      })
      .optional(),
    resources: z
      .strictObject({
        cpus: z.number().positive().max(1024).default(0.1),
        mem: z.number().positive().max(16 * 1024 * 1024).default(128).describe('MiB'),
        disk: z.number().nonnegative().default(0).describe('MiB'),
        gpus: z.number().int().nonnegative().default(0),
      })
      .prefault({}),
    constraints: z.array(constraint).default([]),
    placement: z.enum(['one', 'every-agent']).default('one'),
    after: z.array(name('after[]')).default([]).describe('Parent jobs: this job runs when all of them succeeded'),
    concurrency: z.enum(['allow', 'forbid', 'replace']).default('forbid'),
    misfire: z
      .strictObject({
        policy: z.enum(['skip', 'run-once', 'run-all']).default('run-once'),
        window: duration.default('1h').describe('Occurrences missed by more than this are skipped whatever the policy'),
      })
      .prefault({}),
    retries: z
      .strictObject({
        max: z.number().int().min(0).max(100).default(0),
        backoff: duration.default('30s'),
        factor: z.number().min(1).max(10).default(2),
        maxBackoff: duration.default('1h'),
        jitter: z.number().min(0).max(1).default(0.2).describe('Fraction of the delay drawn at random either way'),
      })
      .prefault({}),
    timeout: duration.optional().describe('Kill the run after this long'),
    killGracePeriod: duration.default('10s').describe('Between TERM and KILL'),
    owners: z.array(name('owners[]')).default([]),
    notify: z
      .strictObject({
        onFailure: notifyTargets,
        onSuccess: notifyTargets,
        onRecovery: notifyTargets,
        onRetriesExhausted: notifyTargets,
        onLate: notifyTargets,
      })
      .prefault({}),
    triggers: z
      .strictObject({ onSuccess: z.array(name('triggers[]')).default([]), onFailure: z.array(name('triggers[]')).default([]) })
      .prefault({}),
    sla: z
      .strictObject({
        lateAfter: duration.optional().describe('A run not started this long after its scheduled time is late'),
        maxDuration: duration.optional().describe('A run still going after this long is late'),
      })
      .optional(),
    history: z
      .strictObject({
        keep: z.number().int().min(1).max(100_000).optional().describe('Keep at most this many finished runs'),
        maxAge: duration.optional().describe('Forget finished runs older than this'),
      })
      .optional(),
    priority: z.number().int().min(-1000).max(1000).default(0),
    paused: z.boolean().default(false),
    labels: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((spec, ctx) => {
    if (spec.command !== undefined && spec.args !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'give command or args, not both' });
    }
    if (spec.command === undefined && spec.args === undefined && spec.container === undefined) {
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'a job needs a command, args or a container image' });
    }
    const tzOk = isValidTimeZone(spec.timezone);
    if (!tzOk) ctx.addIssue({ code: 'custom', path: ['timezone'], message: `unknown time zone "${spec.timezone}" (use an IANA name such as Europe/Berlin)` });
    if (spec.schedule !== undefined && tzOk) {
      try {
        parseSchedule(spec.schedule, { timezone: spec.timezone, dst: spec.dst });
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['schedule'], message: (e as Error).message });
      }
    }
    if (spec.after.includes(spec.name)) ctx.addIssue({ code: 'custom', path: ['after'], message: 'a job cannot depend on itself' });
  });

export type JobSpec = z.output<typeof jobSpecSchema>;
export type JobSpecInput = z.input<typeof jobSpecSchema>;

export interface FieldError {
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  const fieldOf = (path: PropertyKey[]): string => {
    const joined = path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
    return prefix + joined || '(body)';
  };
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: fieldOf([...issue.path, key]), message: 'unknown field' }))
      : [{ field: fieldOf(issue.path), message: issue.message }],
  );
}

export function validateJobSpec(input: unknown, prefix = ''): Validated<JobSpec> {
  const result = jobSpecSchema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: fieldErrors(result.error, prefix) };
}
