/**
 * The job spec: one zod schema validates API bodies and job files, fills defaults and is
 * also what the OpenAPI document describes.
 */
import { z } from 'zod';
import { containerSchema } from './container-spec.js';
import { formatDuration, parseDuration } from './duration.js';
import { execFootprint, execStringProblem, execTotalProblem, MAX_EXEC_STRING_BYTES } from './exec-limits.js';
import { fieldPath, type FieldError, type Validated } from './field-error.js';
import { LIMITS, boundedRecord, list, text } from './input-limits.js';
import { inputShapeErrors } from './input-shape.js';
import { isValidTimeZone } from './schedule/time-zone.js';
import { parseSchedule } from './schedule/index.js';
import { linearRegExpProblem } from '../lib/linear-regexp.js';

export { fieldPath, type FieldError, type Validated };

export const NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]*$/;

/** A POSIX user name that cannot be taken for a uid: a letter or `_` first (as useradd wants), at most 32 characters. */
export const USER_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*\$?$/;

export const name = (what: string) =>
  z
    .string()
    .min(1)
    .max(100)
    .regex(NAME_PATTERN, `${what} must match [a-z0-9][a-z0-9_.-]* (lower case, no "/")`)
    .refine((n) => !n.includes('..'), `${what} must not contain ".."`);

const DURATION_FORMS = '"30s", "5m", "2h", "1d", ISO 8601 "PT1H", or a number of seconds';

/** A duration that is at least `minMs` once rounded to whole milliseconds. */
export const durationAtLeast = (minMs: number) =>
  z
    .union([text(LIMITS.duration), z.number()], { error: `expected a duration such as ${DURATION_FORMS}` })
    .superRefine((value, ctx) => {
      if (typeof value === 'string' && value.length > LIMITS.duration) return;
      const parsed = parseDuration(value);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
      else if (parsed.ms < minMs) {
        const shown = typeof value === 'number' ? `${value} seconds` : `"${value}"`;
        ctx.addIssue({ code: 'custom', message: `${shown} is ${parsed.ms} ms; it must be at least ${formatDuration(minMs)}` });
      }
    })
    .describe(`Duration: ${DURATION_FORMS}${minMs > 0 ? `; at least ${formatDuration(minMs)}` : ''}`);

export const duration = durationAtLeast(0);

/** A string handed to the job's program (argv or environment): see exec-limits.ts. */
const execString = () =>
  z.string().superRefine((s, ctx) => {
    const problem = execStringProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const CONSTRAINT_OPERATORS = ['EQUALS', 'LIKE', 'UNLIKE', 'UNIQUE', 'CLUSTER', 'GROUP_BY', 'MAX_PER'] as const;

const constraint = z
  .union([
    z.tuple([text(LIMITS.attribute).min(1), z.enum(CONSTRAINT_OPERATORS)]),
    z.tuple([text(LIMITS.attribute).min(1), z.enum(CONSTRAINT_OPERATORS), text(LIMITS.constraintValue)]),
  ])
  .superRefine((c, ctx) => {
    const [, op, value] = c;
    const needsValue = op === 'EQUALS' || op === 'LIKE' || op === 'UNLIKE' || op === 'MAX_PER';
    if (needsValue && value === undefined) ctx.addIssue({ code: 'custom', message: `${op} needs a value` });
    if (op === 'UNIQUE' && value !== undefined) ctx.addIssue({ code: 'custom', message: 'UNIQUE takes no value' });
    if ((op === 'MAX_PER' || op === 'GROUP_BY') && value !== undefined && !/^[1-9]\d*$/.test(value)) {
      ctx.addIssue({ code: 'custom', message: `${op} takes a positive integer` });
    }
    const problem = (op === 'LIKE' || op === 'UNLIKE') && value !== undefined ? linearRegExpProblem(`^(?:${value})$`) : null;
    if (problem) ctx.addIssue({ code: 'custom', message: `"${value}" ${problem}` });
  })
  .describe('[attribute or "hostname", operator, value]');

const notifyTargets = list(z.union([z.literal('owner'), name('notify[]')]), LIMITS.targets)
  .default([])
  .describe('"owner" (every owner of the job, the default when empty) or owner names');

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(LIMITS.url, `must be at most ${LIMITS.url} characters`);

/** A job to start, or a webhook to call ({url, secret}: the JSON body is signed with HMAC-SHA256). */
const triggerTarget = z.union([name('triggers[]'), z.strictObject({ url: httpUrl, secret: z.string().min(1).max(500).optional() })]);

export type TriggerTarget = z.output<typeof triggerTarget>;

/** The jobs among a trigger list (the rest are webhooks). */
export const triggeredJobs = (targets: readonly TriggerTarget[]): string[] => targets.filter((t): t is string => typeof t === 'string');

export const jobSpecSchema = z
  .strictObject({
    name: name('name'),
    description: z.string().max(2000).optional(),
    schedule: text(LIMITS.schedule)
      .min(1)
      .optional()
      .describe('Cron (5 or 6 fields, @hourly ...) or ISO 8601 repeating interval "R[n]/start/duration"; absent = manual or dependency-only'),
    timezone: text(LIMITS.timezone).default('UTC').describe('IANA time zone the schedule is read in'),
    dst: z
      .strictObject({
        gap: z.enum(['next', 'skip']).describe('A local time that does not exist: run at the first valid instant after the gap, or skip'),
        overlap: z.enum(['once', 'twice']).describe('A local time that happens twice: run at the first only, or at both'),
      })
      .optional()
      .describe('Daylight-saving rule. Absent: fixed-time jobs (e.g. "30 2 * * *") run once and right after a gap; interval jobs ("*/5 * * * *") run at both repeated times and skip missing ones'),
    command: execString().min(1).optional().describe(`Shell command, run with /bin/sh -c; no NUL bytes, at most ${MAX_EXEC_STRING_BYTES} bytes`),
    args: z
      .array(execString())
      .min(1)
      .superRefine((args, ctx) => {
        if (args[0] === '') ctx.addIssue({ code: 'custom', path: [0], message: 'the program must not be empty' });
      })
      .optional()
      .describe(`Program and arguments, run without a shell; each without NUL bytes and at most ${MAX_EXEC_STRING_BYTES} bytes`),
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are [A-Za-z_][A-Za-z0-9_]*'), execString())
      .superRefine((env, ctx) => {
        for (const [key, value] of Object.entries(env)) {
          const problem = value.includes('\0') ? null : execStringProblem(`${key}=${value}`);
          if (problem) ctx.addIssue({ code: 'custom', path: [key], message: `${key}=<value> ${problem}` });
        }
      })
      .default({})
      .describe(
        `Environment variables; each NAME=value at most ${MAX_EXEC_STRING_BYTES} bytes, no NUL bytes. Values of names matching the server's --redact patterns are shown as "***"; sending "***" back for such a name keeps the stored value`,
      ),
    container: containerSchema.optional(),
    resources: z
      .strictObject({
        cpus: z.number().positive().max(1024).default(0.1),
        mem: z.number().positive().max(16 * 1024 * 1024).default(128).describe('MiB'),
        disk: z.number().nonnegative().default(0).describe('MiB'),
        gpus: z.number().int().nonnegative().default(0),
        pids: z
          .number()
          .int()
          .min(1)
          .max(4_194_304)
          .optional()
          .describe("The most processes and threads a run may have at once (local backend with cgroups); default: the server's --pids-limit"),
      })
      .prefault({}),
    constraints: list(constraint, LIMITS.constraints).default([]),
    placement: z.enum(['one', 'every-agent']).default('one'),
    after: list(name('after[]'), LIMITS.names).default([]).describe('Parent jobs: this job runs when all of them succeeded'),
    concurrency: z.enum(['allow', 'forbid', 'replace']).default('forbid'),
    misfire: z
      .strictObject({
        policy: z.enum(['skip', 'run-once', 'run-all']).default('run-once'),
        window: duration.default('1h').describe('Occurrences missed by more than this are skipped whatever the policy; 0 = none is caught up'),
      })
      .prefault({}),
    retries: z
      .strictObject({
        max: z.number().int().min(0).max(100).default(0),
        backoff: duration.default('30s').describe('Delay before the first retry; 0 = retry at once'),
        factor: z.number().min(1).max(10).default(2),
        maxBackoff: duration.default('1h').describe('Longest delay between retries; 0 = retry at once'),
        jitter: z.number().min(0).max(1).default(0.2).describe('Fraction of the delay drawn at random either way'),
      })
      .prefault({}),
    timeout: durationAtLeast(1).optional().describe('Kill the run after this long; at least 1ms (leave it out for no timeout)'),
    killGracePeriod: duration.default('10s').describe('Between TERM and KILL; 0 = KILL at once'),
    owners: list(name('owners[]'), LIMITS.names).default([]),
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
      .strictObject({ onSuccess: list(triggerTarget, LIMITS.targets).default([]), onFailure: list(triggerTarget, LIMITS.targets).default([]) })
      .prefault({}),
    sla: z
      .strictObject({
        lateAfter: durationAtLeast(1000).optional().describe('A run not started this long after its scheduled time is late; at least 1s (less would call every run late)'),
        maxDuration: durationAtLeast(1000).optional().describe('A run still going after this long is late; at least 1s (less would call every run late)'),
      })
      .optional(),
    history: z
      .strictObject({
        keep: z.number().int().min(1).max(100_000).optional().describe('Keep at most this many finished runs'),
        maxAge: durationAtLeast(60_000).optional().describe('Forget finished runs older than this; at least 1m (less would forget a run as it ends)'),
      })
      .optional(),
    priority: z.number().int().min(-1000).max(1000).default(0),
    paused: z.boolean().default(false),
    labels: boundedRecord(LIMITS.labels, LIMITS.labelKey, LIMITS.labelValue).default({}),
    user: z
      .string()
      .max(32, 'user names are at most 32 characters')
      .regex(USER_NAME_PATTERN, 'user must be a POSIX user name: [A-Za-z_][A-Za-z0-9_.-]*, optionally ending in "$"')
      .optional()
      .describe('The OS user the command runs as. Local: needs a server running as root (default --run-as); Mesos: CommandInfo.user (default --mesos-user)'),
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
    const footprint = execFootprint(spec);
    const tooBig = execTotalProblem(footprint.argv + footprint.env);
    if (tooBig) ctx.addIssue({ code: 'custom', path: [footprint.env > footprint.argv ? 'env' : spec.command !== undefined ? 'command' : 'args'], message: tooBig });
  });

export type JobSpec = z.output<typeof jobSpecSchema>;
export type JobSpecInput = z.input<typeof jobSpecSchema>;

/** Zod's issues as field errors; `prefix` is where the validated value sits (e.g. `[1]` in a list). */
export function fieldErrors(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldError[] {
  const fieldOf = (path: readonly PropertyKey[]): string => fieldPath([...prefix, ...path]);
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: fieldOf([...issue.path, key]), message: 'unknown field' }))
      : [{ field: fieldOf(issue.path), message: issue.message }],
  );
}

export function validateJobSpec(input: unknown, prefix: readonly (string | number)[] = []): Validated<JobSpec> {
  const shapeErrors = inputShapeErrors(input, prefix);
  if (shapeErrors.length > 0) return { ok: false, errors: shapeErrors };
  const result = jobSpecSchema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: fieldErrors(result.error, prefix) };
}
