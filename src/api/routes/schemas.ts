/** Wire schemas shared by routes: they validate query strings and document answers. */
import { z } from 'zod';
import { LIMITS, text } from '../../core/input-limits.js';
import { jobSpecSchema, name } from '../../core/job-spec.js';
import type { RunStatus } from '../../core/types.js';
import { decodeRunCursor, type RunQuery } from '../../store/types.js';

export const RUN_STATUSES = ['waiting', 'queued', 'launching', 'running', 'succeeded', 'failed', 'killed', 'lost', 'skipped'] as const;
export const RUN_TRIGGERS = ['schedule', 'manual', 'retry', 'dependency', 'trigger'] as const;

export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ field: z.string(), message: z.string() })),
  }),
});

const isoTime = z.string().describe('ISO 8601 UTC time');

export const runSchema = z.object({
  id: z.string(),
  job: z.string(),
  status: z.enum(RUN_STATUSES),
  trigger: z.enum(RUN_TRIGGERS),
  attempt: z.number().int(),
  scheduledAt: isoTime,
  claimedAt: isoTime,
  startedAt: isoTime.nullable(),
  finishedAt: isoTime.nullable(),
  skewMs: z.number().nullable().describe('startedAt - scheduledAt'),
  durationMs: z.number().nullable(),
  exitCode: z.number().int().nullable(),
  reason: z.string().nullable(),
  agent: z.string().nullable(),
  taskId: z.string().nullable(),
  key: z.string().describe('Idempotency key, unique per job'),
  rootId: z.string().describe('First attempt of this run'),
  deadline: isoTime.nullable().describe('When a timeout kills it'),
  labels: z.record(z.string(), z.string()).describe("The job's labels when the run was claimed"),
  causes: z.array(z.string()).describe('The runs that made this one: parent successes (dependency) or the triggering run'),
  late: z.boolean().describe('It missed its SLA: a late notice went out'),
  usage: z
    .object({
      cpuSeconds: z.number().describe('CPU time of the run and everything it started'),
      peakMemoryBytes: z.number().nullable().describe('The most memory it held at once'),
    })
    .nullable()
    .describe("What the run used, where its agent measures it (the local backend with cgroups); null: not measured"),
});

/** A finished run as the jobs list shows it (`?recent=N`). */
export const recentRunSchema = runSchema.pick({ id: true, status: true, scheduledAt: true, startedAt: true, finishedAt: true, durationMs: true, skewMs: true });

export const runPageSchema = z.object({ runs: z.array(runSchema), nextCursor: z.string().nullable() });

export const jobSchema = jobSpecSchema.extend({
  state: z.object({
    createdAt: isoTime,
    updatedAt: isoTime,
    cursor: isoTime.nullable().describe('Every occurrence up to here has been dealt with'),
    nextRunAt: isoTime.nullable(),
    activeRuns: z.array(z.string()),
  }),
});

const statusList = text(200)
  .regex(/^[a-z]+(,[a-z]+)*$/, 'comma-separated statuses')
  .refine((s) => s.split(',').every((x) => (RUN_STATUSES as readonly string[]).includes(x)), `statuses are ${RUN_STATUSES.join(', ')}`)
  .describe(`Comma-separated: ${RUN_STATUSES.join(', ')}`);

export const runListQuery = z.strictObject({
  job: name('job').optional(),
  status: statusList.optional(),
  since: z.iso.datetime({ offset: true }).optional().describe('Runs scheduled at or after this time'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: text(LIMITS.cursor)
    .refine((c) => decodeRunCursor(c) !== null, 'not a cursor from a previous page')
    .optional(),
});

export function toRunQuery(q: z.output<typeof runListQuery>): RunQuery {
  return {
    limit: q.limit,
    ...(q.job !== undefined ? { job: q.job } : {}),
    ...(q.status !== undefined ? { status: q.status.split(',') as RunStatus[] } : {}),
    ...(q.since !== undefined ? { since: Date.parse(q.since) } : {}),
    ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
  };
}
