/** /api/v1/runs: history across jobs, one run, kill, and logs with offset paging. */
import { z } from 'zod';
import { isTerminal, type Run } from '../../core/types.js';
import { requireLeader, runCommand, type ApiContext } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { route, type AnyRoute } from '../route.js';
import { runView } from '../views.js';
import { errorSchema, runListQuery, runPageSchema, runSchema, toRunQuery } from './schemas.js';

const idParams = z.strictObject({ id: z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:-]+$/, 'not a run id') });

const logQuery = z.strictObject({
  stream: z.enum(['stdout', 'stderr']).default('stdout'),
  offset: z.coerce.number().int().min(0).default(0).describe('Byte offset to read from'),
  limit: z.coerce.number().int().min(1).max(1 << 20).default(64 << 10).describe('Bytes to read at most'),
  format: z.enum(['json', 'text']).default('json').describe('text: the bytes alone, offsets in headers'),
});

const logChunkSchema = z.object({
  runId: z.string(),
  stream: z.enum(['stdout', 'stderr']),
  offset: z.number().int(),
  nextOffset: z.number().int(),
  size: z.number().int(),
  data: z.string(),
  complete: z.boolean().describe('The run has finished and everything has been read'),
});

export function runRoutes(api: ApiContext): AnyRoute[] {
  const runOr404 = async (id: string): Promise<Run> => {
    const run = api.leader()?.queries.activeRun(id) ?? (await api.store.getRun(id));
    if (!run) throw notFound(`run ${id}`);
    return run;
  };

  return [
    route({
      method: 'GET',
      path: '/api/v1/runs',
      tag: 'runs',
      summary: 'Runs of all jobs, newest first, paged',
      query: runListQuery,
      responses: { 200: { description: 'A page of runs', schema: runPageSchema }, 400: { description: 'Bad query', schema: errorSchema } },
      handler: async ({ query }) => {
        const page = await api.store.listRuns(toRunQuery(query));
        return { status: 200, body: { runs: page.runs.map(runView), nextCursor: page.nextCursor } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/runs/{id}',
      tag: 'runs',
      summary: 'One run',
      params: idParams,
      responses: { 200: { description: 'The run', schema: runSchema }, 404: { description: 'No such run', schema: errorSchema } },
      handler: async ({ params }) => ({ status: 200, body: runView(await runOr404(params.id)) }),
    }),
    route({
      method: 'POST',
      path: '/api/v1/runs/{id}/kill',
      tag: 'runs',
      summary: "Kill a run: TERM its processes, KILL them after the job's grace period",
      params: idParams,
      responses: {
        202: { description: 'Kill under way (or done, for a run not yet launched)', schema: runSchema },
        404: { description: 'No such run', schema: errorSchema },
        409: { description: 'The run has already finished', schema: errorSchema },
      },
      handler: async ({ params, actor }) => {
        const run = await runOr404(params.id);
        if (isTerminal(run.status)) throw new ApiError(409, 'conflict', `run ${run.id} has already finished (${run.status})`);
        const { value } = await runCommand(api, actor, { kind: 'kill-run', runId: params.id });
        return { status: 202, body: runView(value) };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/runs/{id}/logs',
      tag: 'runs',
      summary: "A page of a run's stdout or stderr",
      params: idParams,
      query: logQuery,
      responses: {
        200: { description: 'Log bytes from offset', schema: logChunkSchema },
        404: { description: 'No such run', schema: errorSchema },
      },
      handler: async ({ params, query, reply }) => {
        const run = await runOr404(params.id);
        // Logs live with the backend (this host's run dirs, or the agents), which the leader holds.
        const { backend } = await requireLeader(api);
        const chunk = await backend.readLogs(run, query.stream, query.offset, query.limit);
        const data = chunk ?? { data: '', offset: query.offset, nextOffset: query.offset, size: 0 };
        const complete = isTerminal(run.status) && data.nextOffset >= data.size;
        if (query.format === 'text') {
          reply
            .header('content-type', 'text/plain; charset=utf-8')
            .header('x-log-offset', String(data.offset))
            .header('x-log-next-offset', String(data.nextOffset))
            .header('x-log-size', String(data.size))
            .header('x-log-complete', String(complete));
          return { status: 200, body: data.data };
        }
        return { status: 200, body: { runId: run.id, stream: query.stream, ...data, complete } };
      },
    }),
  ];
}
