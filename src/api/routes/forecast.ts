/**
 * What the schedules will do: a job's next occurrences with their DST notes, and the timeline
 * of how many runs come due per time bucket (timeline.ts). Standbys answer both from their
 * store; `from` (default now) makes an answer repeatable.
 */
import { z } from 'zod';
import { name } from '../../core/job-spec.js';
import { localText, offsetText, upcomingOccurrences } from '../../core/schedule/upcoming.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../errors.js';
import { route, type AnyRoute } from '../route.js';
import { errorSchema } from './schemas.js';
import { timelineRoute } from './timeline.js';
import { scheduleOf } from './timeline-source.js';

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
    timelineRoute(api, clock),
  ];
}
