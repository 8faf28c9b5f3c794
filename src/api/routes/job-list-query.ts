/** The job list's query string: a page (limit, cursor), its order and its filters. */
import { z } from 'zod';
import { LIMITS, text } from '../../core/input-limits.js';
import type { JobCursor, JobFilterQuery, JobPageQuery } from '../../core/job-page.js';
import { name } from '../../core/job-spec.js';

export const encodeJobCursor = (cursor: JobCursor): string => Buffer.from(JSON.stringify(cursor)).toString('base64url');

export function decodeJobCursor(text: string): JobCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString());
    if (typeof value !== 'object' || value === null) return null;
    const { name: jobName, next } = value as Record<string, unknown>;
    if (typeof jobName !== 'string') return null;
    if (next !== undefined && next !== null && !Number.isSafeInteger(next)) return null;
    return next === undefined ? { name: jobName } : { name: jobName, next: next as number | null };
  } catch {
    return null;
  }
}

/** The job list's filters; the timeline takes the same. */
export const jobFilterFields = {
  q: text(200).optional().describe('Words that must all appear in the name, description or a key=value label (any case)'),
  owner: name('owner').optional().describe('Jobs this owner owns'),
  label: text(LIMITS.labelKey + LIMITS.labelValue + 1)
    .optional()
    .describe('Jobs with this label: key=value, or key for any value'),
  state: z.enum(['active', 'paused', 'failing', 'running']).optional().describe('active: not paused; failing: its latest run (after retries) failed; running: a run is active'),
};

type JobFilterParams = z.output<z.ZodObject<typeof jobFilterFields>>;

/** The filters given, or null for none. */
export function toJobFilterQuery(q: JobFilterParams): JobFilterQuery | null {
  const words = q.q?.toLowerCase().split(/\s+/).filter(Boolean);
  const filters: JobFilterQuery = {
    ...(words && words.length > 0 ? { words } : {}),
    ...(q.owner !== undefined ? { owner: q.owner } : {}),
    ...(q.label !== undefined ? { label: q.label } : {}),
    ...(q.state !== undefined ? { state: q.state } : {}),
  };
  return Object.keys(filters).length > 0 ? filters : null;
}

export const jobListQuery = z
  .strictObject({
    recent: z.coerce.number().int().min(1).max(50).optional().describe("Add `recent` to each job: its newest N finished runs (at most 50), newest first"),
    limit: z.coerce.number().int().min(1).max(1000).optional().describe('Jobs on a page (at most 1,000); absent: every matching job'),
    cursor: text(LIMITS.cursor)
      .refine((c) => decodeJobCursor(c) !== null, 'not a cursor from a previous page')
      .optional()
      .describe("The previous page's nextCursor"),
    sort: z.enum(['name', 'next']).default('name').describe('By name, or by next run time (jobs without one last)'),
    order: z.enum(['asc', 'desc']).default('asc'),
    ...jobFilterFields,
  })
  .refine((q) => q.cursor === undefined || q.sort === 'name' || decodeJobCursor(q.cursor)?.next !== undefined, {
    path: ['cursor'],
    message: 'comes from a page sorted by name; start again without it',
  });

export type JobListQuery = z.output<typeof jobListQuery>;

export function toJobPageQuery(q: JobListQuery): JobPageQuery {
  return {
    limit: q.limit ?? Number.POSITIVE_INFINITY,
    sort: q.sort,
    order: q.order,
    ...(q.cursor !== undefined ? { cursor: decodeJobCursor(q.cursor)! } : {}),
    ...toJobFilterQuery(q),
  };
}
