/** /api/v1/jobs: create, replace, read, delete, run, pause and resume jobs. */
import { z } from 'zod';
import { jobGraph, leaderGraphSource, nodeState, storeGraphSource } from './job-graph.js';
import { validateJobList, withoutState } from '../../core/job-file.js';
import { jobSpecSchema, name, type JobSpec } from '../../core/job-spec.js';
import { pageOfJobs, type JobPage, type JobPageQuery } from '../../core/job-page.js';
import type { JobLiveState } from '../../core/queries.js';
import type { JobView, StoredJob } from '../../core/types.js';
import { runCommand, type ApiContext } from '../context.js';
import { fieldError, invalid, notFound } from '../errors.js';
import { route, type AnyRoute } from '../route.js';
import { jobView, runView } from '../views.js';
import { recentRuns } from '../recent-runs.js';
import { encodeJobCursor, jobListQuery, toJobPageQuery } from './job-list-query.js';
import { errorSchema, jobSchema, recentRunSchema, runListQuery, runPageSchema, runSchema, toRunQuery } from './schemas.js';

const nameParams = z.strictObject({ name: name('name') });

/** One job or a list, validated; a 400 naming every bad field otherwise. */
function parseJobs(raw: unknown): JobSpec[] {
  const result = validateJobList(raw);
  if (!result.ok) throw invalid(result.errors, Array.isArray(raw) ? 'job list' : 'job spec');
  return result.value;
}

export function jobRoutes(api: ApiContext): AnyRoute[] {
  const live = (jobName: string) => api.leader()?.queries.job(jobName) ?? null;
  const view = (v: JobView) => jobView(v.job, v, api.envRedaction);
  const jobOr404 = async (jobName: string) => {
    const job = await api.store.getJob(jobName);
    if (!job) throw notFound(`job ${jobName}`);
    return job;
  };

  const NO_RUNS = new Set<string>();
  /** The leader pages the jobs it holds; another member pages what its store lists (no live state). */
  const pageOfList = async (query: JobPageQuery): Promise<JobPage<{ job: StoredJob; live: JobLiveState | null }>> => {
    const leader = api.leader();
    if (leader?.queries.booted()) return leader.queries.jobPage(query);
    const jobs = (await api.store.listJobs()).sort((a, b) => (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0));
    const facts = jobs.map((stored) => ({ stored, nextDue: null, active: NO_RUNS }));
    return pageOfJobs(jobs.length, (i) => facts[i]!, query, (i) => ({ job: jobs[i]!, live: null }));
  };

  return [
    route({
      method: 'GET',
      path: '/api/v1/jobs',
      tag: 'jobs',
      summary: 'List jobs, or a page of them (?limit, then ?cursor=nextCursor), filtered and sorted; with ?recent=N each has its newest N finished runs',
      query: jobListQuery,
      responses: {
        200: {
          description: 'The matching jobs (a page of them with ?limit)',
          schema: z.object({
            jobs: z.array(jobSchema.extend({ recent: z.array(recentRunSchema).optional() })),
            total: z.number().int().describe('Jobs matching the filters, on every page'),
            nextCursor: z.string().nullable().describe('For the next page; null on the last'),
          }),
        },
        400: { description: 'Bad query', schema: errorSchema },
      },
      handler: async ({ query }) => {
        const page = await pageOfList(toJobPageQuery(query));
        const views = page.jobs.map(({ job, live }) => jobView(job, live, api.envRedaction));
        const nextCursor = page.next && encodeJobCursor(page.next);
        if (query.recent === undefined) return { status: 200, body: { jobs: views, total: page.total, nextCursor } };
        const recent = await recentRuns(api.store, views.map((v) => v.name), query.recent);
        return { status: 200, body: { jobs: views.map((view) => ({ ...view, recent: recent.get(view.name) ?? [] })), total: page.total, nextCursor } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/jobs',
      tag: 'jobs',
      summary: 'Create or replace one job, or a list of jobs (all or none), by name',
      body: z.union([jobSpecSchema, z.array(jobSpecSchema)]),
      parseBody: (raw) => ({ list: Array.isArray(raw), specs: parseJobs(raw) }),
      responses: {
        200: { description: 'Replaced', schema: z.union([jobSchema, z.object({ jobs: z.array(jobSchema) })]) },
        201: { description: 'Created (at least one job was new)' },
        400: { description: 'Invalid spec, naming the field', schema: errorSchema },
      },
      handler: async ({ body, actor }) => {
        const { value, created } = await runCommand(api, actor, { kind: 'put-jobs', specs: body.specs });
        const jobs = value.map(view);
        return { status: created ? 201 : 200, body: body.list ? { jobs } : jobs[0] };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/jobs/{name}',
      tag: 'jobs',
      summary: 'One job',
      params: nameParams,
      responses: { 200: { description: 'The job', schema: jobSchema }, 404: { description: 'No such job', schema: errorSchema } },
      handler: async ({ params }) => ({ status: 200, body: jobView(await jobOr404(params.name), live(params.name), api.envRedaction) }),
    }),
    route({
      method: 'PUT',
      path: '/api/v1/jobs/{name}',
      tag: 'jobs',
      summary: 'Create or replace a job',
      params: nameParams,
      body: jobSpecSchema,
      parseBody: (raw) => raw,
      responses: {
        200: { description: 'Replaced', schema: jobSchema },
        201: { description: 'Created', schema: jobSchema },
        400: { description: 'Invalid spec', schema: errorSchema },
      },
      handler: async ({ params, body, actor }) => {
        const raw = withoutState(body);
        if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw fieldError(400, 'invalid', '(body)', 'must be one job object');
        const record = raw as Record<string, unknown>;
        if (typeof record.name === 'string' && record.name !== params.name) {
          throw invalid([{ field: 'name', message: `${JSON.stringify(record.name)} differs from the name in the path "${params.name}"` }], 'job spec');
        }
        // A name that is not a string is the validator's to name.
        const [spec] = parseJobs({ ...record, name: record.name ?? params.name });
        const { value, created } = await runCommand(api, actor, { kind: 'put-jobs', specs: [spec!] });
        return { status: created ? 201 : 200, body: view(value[0]!) };
      },
    }),
    route({
      method: 'DELETE',
      path: '/api/v1/jobs/{name}',
      tag: 'jobs',
      summary: 'Delete a job and its history; its active runs are killed',
      params: nameParams,
      query: z.strictObject({ force: z.enum(['true', 'false']).default('false').describe('Also when other jobs depend on it: they lose the reference') }),
      responses: {
        200: { description: 'Deleted; `changed`: jobs that lost their reference to it', schema: z.object({ deleted: z.string(), changed: z.array(z.string()) }) },
        404: { description: 'No such job', schema: errorSchema },
        409: { description: 'Other jobs depend on it (named); ?force=true takes it off them', schema: errorSchema },
      },
      handler: async ({ params, query, actor }) => ({
        status: 200,
        body: (await runCommand(api, actor, { kind: 'delete-job', name: params.name, force: query.force === 'true' })).value,
      }),
    }),
    route({
      method: 'POST',
      path: '/api/v1/jobs/{name}/run',
      tag: 'jobs',
      summary: 'Run a job now',
      params: nameParams,
      responses: {
        201: { description: 'The new run', schema: runSchema },
        404: { description: 'No such job', schema: errorSchema },
        409: { description: 'A run is active and concurrency is forbid', schema: errorSchema },
      },
      handler: async ({ params, actor }) => ({ status: 201, body: runView((await runCommand(api, actor, { kind: 'run-job', name: params.name })).value) }),
    }),
    ...(['pause', 'resume'] as const).map((action) =>
      route({
        method: 'POST',
        path: `/api/v1/jobs/{name}/${action}`,
        tag: 'jobs',
        summary: action === 'pause' ? 'Pause: no new scheduled runs until resumed' : 'Resume from now (occurrences while paused are not run)',
        params: nameParams,
        responses: { 200: { description: 'The job', schema: jobSchema }, 404: { description: 'No such job', schema: errorSchema } },
        handler: async ({ params, actor }) => {
          const { value } = await runCommand(api, actor, { kind: action === 'pause' ? 'pause-job' : 'resume-job', name: params.name });
          return { status: 200, body: view(value) };
        },
      }),
    ),
    route({
      method: 'GET',
      path: '/api/v1/jobs/{name}/runs',
      tag: 'jobs',
      summary: "A job's runs, newest first",
      params: nameParams,
      query: runListQuery.omit({ job: true }),
      responses: { 200: { description: 'A page of runs', schema: runPageSchema }, 404: { description: 'No such job', schema: errorSchema } },
      handler: async ({ params, query }) => {
        await jobOr404(params.name);
        const page = await api.store.listRuns(toRunQuery({ ...query, job: params.name }));
        return { status: 200, body: { runs: page.runs.map(runView), nextCursor: page.nextCursor } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/jobs/{name}/graph',
      tag: 'jobs',
      summary: 'Ancestors and descendants of a job, each with its state, and the edges between them',
      params: nameParams,
      responses: {
        200: {
          description: 'The graph around the job',
          schema: z.object({
            job: z.object({ name: z.string(), state: nodeState }),
            ancestors: z.array(z.object({ name: z.string(), state: nodeState })),
            descendants: z.array(z.object({ name: z.string(), state: nodeState })),
            edges: z.array(z.object({ from: z.string(), to: z.string(), kind: z.enum(['after', 'onSuccess', 'onFailure']) })),
          }),
        },
        404: { description: 'No such job', schema: errorSchema },
      },
      handler: async ({ params }) => {
        const leader = api.leader();
        const source = leader?.queries.booted() ? leaderGraphSource(leader.queries) : storeGraphSource(api.store);
        return { status: 200, body: await jobGraph(source, params.name) };
      },
    }),
  ];
}
