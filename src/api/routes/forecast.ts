/**
 * What the schedules will do: a job's next occurrences with their DST notes, and the timeline
 * of how many runs come due per time bucket. Both are read from the stored jobs, so standbys
 * answer them too; `from` (default now) makes an answer repeatable.
 */
import { z } from 'zod';
import { name } from '../../core/job-spec.js';
import { parseSchedule, type Schedule } from '../../core/schedule/index.js';
import { localText, offsetText, upcomingOccurrences } from '../../core/schedule/upcoming.js';
import type { JobSpec } from '../../core/job-spec.js';
import type { ApiContext } from '../context.js';
import { ApiError, fieldError, notFound } from '../errors.js';
import { route, type AnyRoute } from '../route.js';
import { errorSchema } from './schemas.js';

const MINUTE = 60_000;
/** 24 hours by the minute, or a week by 7 minutes: about 3 MB of JSON for 1,000 busy jobs. */
export const MAX_BUCKETS = 1440;

const isoTime = z.string().describe('ISO 8601 UTC time');
const fromParam = z.iso.datetime({ offset: true }).optional().describe('ISO 8601 time to start from; default now');
const dstRule = z.object({ gap: z.enum(['next', 'skip']), overlap: z.enum(['once', 'twice']) });

const occurrencesSchema = z.object({
  job: z.string(),
  timezone: z.string(),
  dst: dstRule.nullable().describe('The DST rule in force (the job\'s, or the default for its schedule); null without a schedule'),
  occurrences: z.array(
    z.object({
      at: isoTime,
      local: z.string().describe('Wall clock in the job\'s zone: 2026-03-29 03:00:00'),
      offset: z.string().describe('UTC offset there: +02:00'),
      dst: z.enum(['gap', 'overlap']).nullable().describe('gap: a time the schedule asks for does not exist (moved or skipped); overlap: this local time happens twice'),
      note: z.string().nullable().describe('What the DST rule did, in words'),
    }),
  ),
});

const timelineSchema = z.object({
  from: isoTime.describe('Start of the first bucket (the asked time, rounded down to a whole bucket)'),
  to: isoTime,
  bucketMinutes: z.number().int(),
  totals: z.array(z.number().int()).describe('Runs due per bucket, all jobs'),
  jobs: z.array(z.object({ name: z.string(), total: z.number().int(), counts: z.array(z.number().int()) })).describe('Jobs with runs due, most first'),
});

/** A stored job's schedule; one that no longer parses (a zone gone from this Node's ICU) is a 409 naming it. */
function scheduleOf(spec: JobSpec): Schedule | null {
  if (spec.schedule === undefined) return null;
  try {
    return parseSchedule(spec.schedule, { timezone: spec.timezone, dst: spec.dst });
  } catch (error) {
    throw new ApiError(409, 'unschedulable', `job ${spec.name}: ${(error as Error).message}`, [{ field: 'schedule', message: (error as Error).message }]);
  }
}

export function forecastRoutes(api: ApiContext, clock: () => number = Date.now): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/api/v1/jobs/{name}/occurrences',
      tag: 'jobs',
      summary: "A job's next occurrences in its zone, with what a DST gap or overlap does to them",
      params: z.strictObject({ name: name('name') }),
      query: z.strictObject({
        count: z.coerce.number().int().min(1).max(100).default(10).describe('How many (at most 100)'),
        from: fromParam,
      }),
      responses: {
        200: { description: 'The occurrences at or after `from` (none without a schedule); paused jobs too', schema: occurrencesSchema },
        400: { description: 'Bad query', schema: errorSchema },
        404: { description: 'No such job', schema: errorSchema },
      },
      handler: async ({ params, query }) => {
        const job = await api.store.getJob(params.name);
        if (!job) throw notFound(`job ${params.name}`);
        const { spec } = job;
        const schedule = scheduleOf(spec);
        const from = query.from === undefined ? clock() : Date.parse(query.from);
        const occurrences = schedule
          ? upcomingOccurrences(schedule, spec.timezone, from, query.count).map((o) => ({
              at: new Date(o.at).toISOString(),
              local: localText(o.wall),
              offset: offsetText(o.offset),
              dst: o.dst,
              note: o.note,
            }))
          : [];
        return { status: 200, body: { job: spec.name, timezone: spec.timezone, dst: schedule?.dst ?? null, occurrences } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/timeline',
      tag: 'jobs',
      summary: 'How many runs come due in each time bucket over the next hours, per job and in total (paused jobs left out)',
      query: z.strictObject({
        hours: z.coerce.number().int().min(1).max(168).default(24).describe('How far ahead (at most a week)'),
        bucketMinutes: z.coerce.number().int().min(1).max(1440).default(5).describe(`Bucket width; hours x 60 must be a whole number of buckets, at most ${MAX_BUCKETS}`),
        from: fromParam,
      }),
      responses: {
        200: { description: 'Counts per bucket', schema: timelineSchema },
        400: { description: 'Bad query', schema: errorSchema },
      },
      handler: async ({ query }) => {
        const { hours, bucketMinutes } = query;
        if ((hours * 60) % bucketMinutes !== 0) throw fieldError(400, 'invalid', 'bucketMinutes', `must divide ${hours} hours (${hours * 60} minutes) into whole buckets`);
        const buckets = (hours * 60) / bucketMinutes;
        if (buckets > MAX_BUCKETS) {
          throw fieldError(400, 'invalid', 'bucketMinutes', `gives ${buckets} buckets over ${hours} hours; at most ${MAX_BUCKETS}: use ${Math.ceil((hours * 60) / MAX_BUCKETS)} or more`);
        }
        const width = bucketMinutes * MINUTE;
        const asked = query.from === undefined ? clock() : Date.parse(query.from);
        // Whole buckets, so that asking again a little later gives the same bucket edges.
        const from = Math.floor(asked / width) * width;
        const totals = new Array<number>(buckets).fill(0);
        const jobs: { name: string; total: number; counts: number[] }[] = [];
        for (const { spec } of await api.store.listJobs()) {
          if (spec.paused) continue;
          const schedule = scheduleOf(spec);
          if (!schedule) continue;
          const counts = schedule.countPerSpan(from, width, buckets);
          let total = 0;
          counts.forEach((n, i) => {
            total += n;
            totals[i]! += n;
          });
          if (total > 0) jobs.push({ name: spec.name, total, counts });
        }
        jobs.sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : 1));
        const body = { from: new Date(from).toISOString(), to: new Date(from + buckets * width).toISOString(), bucketMinutes, totals, jobs };
        return { status: 200, body };
      },
    }),
  ];
}
