/**
 * GET /timeline: how many runs come due in each bucket of the next hours, in total and per
 * job. The sums cover every job; the jobs' own rows come a page at a time (?limit, then
 * ?cursor=nextCursor), most runs first, with the job list's filters, or only those with runs
 * in one bucket (?bucket=N: who fires then).
 */
import { z } from 'zod';
import { LIMITS, text } from '../../core/input-limits.js';
import { denseCounts, pageOfTimeline, type TimelineCursor } from '../../core/timeline.js';
import type { ApiContext } from '../context.js';
import { fieldError } from '../errors.js';
import { route, type AnyRoute } from '../route.js';
import { jobFilterFields, toJobFilterQuery } from './job-list-query.js';
import { errorSchema } from './schemas.js';
import { leaderTimelineSource, storeTimelineSource, TimelineCache } from './timeline-source.js';

const MINUTE = 60_000;
/** 24 hours by the minute, or a week by 7 minutes. */
export const MAX_BUCKETS = 1440;

export const encodeTimelineCursor = (cursor: TimelineCursor & { bucket?: number }): string => Buffer.from(JSON.stringify(cursor)).toString('base64url');

export function decodeTimelineCursor(text: string): (TimelineCursor & { bucket?: number }) | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString());
    if (typeof value !== 'object' || value === null) return null;
    const { name, runs, bucket } = value as Record<string, unknown>;
    if (typeof name !== 'string') return null;
    if (runs !== undefined && !(Number.isSafeInteger(runs) && (runs as number) >= 0)) return null;
    if (bucket !== undefined && !(Number.isSafeInteger(bucket) && (bucket as number) >= 0)) return null;
    return { name, ...(runs === undefined ? {} : { runs: runs as number }), ...(bucket === undefined ? {} : { bucket: bucket as number }) };
  } catch {
    return null;
  }
}

const isoTime = z.string().describe('ISO 8601 UTC time');

export const timelineQuery = z
  .strictObject({
    hours: z.coerce.number().int().min(1).max(168).default(24).describe('How far ahead (at most a week)'),
    bucketMinutes: z.coerce.number().int().min(1).max(1440).default(5).describe(`Bucket width; hours x 60 must be a whole number of buckets, at most ${MAX_BUCKETS}`),
    from: z.iso.datetime({ offset: true }).optional().describe('ISO 8601 time to start from; default now'),
    limit: z.coerce.number().int().min(1).max(1000).optional().describe('Jobs on a page (at most 1,000); absent: every matching job'),
    cursor: text(LIMITS.cursor)
      .refine((c) => decodeTimelineCursor(c) !== null, 'not a cursor from a previous page')
      .optional()
      .describe("The previous page's nextCursor"),
    sort: z.enum(['runs', 'name']).default('runs').describe('Most runs first (in `bucket` when given), then by name; or by name'),
    bucket: z.coerce.number().int().min(0).optional().describe('Only jobs with runs in this bucket (0 is the first): who fires then'),
    ...jobFilterFields,
  })
  .refine((q) => q.cursor === undefined || (decodeTimelineCursor(q.cursor)?.runs !== undefined) === (q.sort === 'runs'), {
    path: ['cursor'],
    message: 'comes from a page in another order; start again without it',
  })
  .refine((q) => q.cursor === undefined || decodeTimelineCursor(q.cursor)?.bucket === q.bucket, {
    path: ['cursor'],
    message: 'comes from a page of another bucket; start again without it',
  });

const timelineSchema = z.object({
  from: isoTime.describe('Start of the first bucket (the asked time, rounded down to a whole bucket)'),
  to: isoTime,
  bucketMinutes: z.number().int(),
  totals: z.array(z.number().int()).describe('Runs due per bucket, all jobs'),
  jobCounts: z.array(z.number().int()).describe('Jobs with runs due per bucket, all jobs'),
  firing: z.number().int().describe('Jobs with runs due in the window, all jobs'),
  maxPerJob: z.number().int().describe('The most runs any one job has in one bucket'),
  jobs: z
    .array(z.object({ name: z.string(), total: z.number().int(), counts: z.array(z.number().int()) }))
    .describe('Jobs with runs due (in `bucket`, when given) that the filters keep: this page of them'),
  total: z.number().int().describe('Jobs on every page together'),
  nextCursor: z.string().nullable().describe('For the next page; null on the last'),
});

export function timelineRoute(api: ApiContext, clock: () => number): AnyRoute {
  const cache = new TimelineCache();
  return route({
    method: 'GET',
    path: '/api/v1/timeline',
    tag: 'jobs',
    summary: 'How many runs come due in each time bucket over the next hours, in total and per job (a page at a time with ?limit; paused jobs left out)',
    query: timelineQuery,
    responses: {
      200: { description: 'Counts per bucket', schema: timelineSchema },
      400: { description: 'Bad query', schema: errorSchema },
      409: { description: 'A stored schedule no longer parses (named)', schema: errorSchema },
    },
    handler: async ({ query }) => {
      const { hours, bucketMinutes } = query;
      if ((hours * 60) % bucketMinutes !== 0) throw fieldError(400, 'invalid', 'bucketMinutes', `must divide ${hours} hours (${hours * 60} minutes) into whole buckets`);
      const buckets = (hours * 60) / bucketMinutes;
      if (buckets > MAX_BUCKETS) {
        throw fieldError(400, 'invalid', 'bucketMinutes', `gives ${buckets} buckets over ${hours} hours; at most ${MAX_BUCKETS}: use ${Math.ceil((hours * 60) / MAX_BUCKETS)} or more`);
      }
      if (query.bucket !== undefined && query.bucket >= buckets) throw fieldError(400, 'invalid', 'bucket', `must be below ${buckets}, the number of buckets`);
      const widthMs = bucketMinutes * MINUTE;
      const asked = query.from === undefined ? clock() : Date.parse(query.from);
      // Whole buckets, so that asking again a little later gives the same bucket edges.
      const from = Math.floor(asked / widthMs) * widthMs;

      const leader = api.leader();
      const source = leader?.queries.booted() ? leaderTimelineSource(leader.queries) : storeTimelineSource(api.store);
      const counts = cache.counts(await source.jobs(), { from, widthMs, buckets });
      const filters = toJobFilterQuery(query);
      const cursor = query.cursor === undefined ? undefined : decodeTimelineCursor(query.cursor)!;
      const page = pageOfTimeline(counts, {
        limit: query.limit ?? Number.POSITIVE_INFINITY,
        sort: query.sort,
        ...(query.bucket !== undefined ? { bucket: query.bucket } : {}),
        ...(cursor ? { cursor } : {}),
        ...(filters ? { matches: await source.matching(filters) } : {}),
      });
      const body = {
        from: new Date(from).toISOString(),
        to: new Date(from + buckets * widthMs).toISOString(),
        bucketMinutes,
        totals: counts.totals,
        jobCounts: counts.jobCounts,
        firing: counts.firing,
        maxPerJob: counts.maxPerJob,
        jobs: page.rows.map(({ row }) => ({ name: row.name, total: row.counts.total, counts: denseCounts(row.counts, buckets) })),
        total: page.total,
        nextCursor: page.next && encodeTimelineCursor(query.bucket === undefined ? page.next : { ...page.next, bucket: query.bucket }),
      };
      return { status: 200, body };
    },
  });
}
