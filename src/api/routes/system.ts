/** Cluster view, agents, the event stream, health, readiness and metrics. */
import { z } from 'zod';
import type { SchedulerEvent } from '../../core/types.js';
import { requireLeader, type ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { errorSchema } from './schemas.js';
import { route, type AnyRoute } from '../route.js';
import { runView } from '../views.js';

const HEARTBEAT_MS = 15_000;

const member = z.object({ id: z.string(), url: z.string() });
const resources = z.object({ cpus: z.number(), mem: z.number(), disk: z.number(), gpus: z.number() });

export function systemRoutes(api: ApiContext): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/api/v1/cluster',
      tag: 'cluster',
      summary: 'This member, the leader, the fencing epoch and the backend',
      responses: {
        200: {
          description: 'Cluster state',
          schema: z.object({
            self: member,
            isLeader: z.boolean(),
            leader: member.nullable(),
            epoch: z.number().int().nullable(),
            members: z.array(member),
            backend: z.enum(['local', 'mesos']),
            frameworkId: z.string().nullable(),
            store: z.string(),
          }),
        },
        503: { description: 'The shared store does not answer', schema: errorSchema },
      },
      handler: async () => {
        const view = await api.cluster().catch((error: Error) => {
          throw new ApiError(503, 'store_unavailable', `the store ${api.store.description} did not answer who leads: ${error.message}`);
        });
        return { status: 200, body: { ...view, frameworkId: api.leader()?.backend.frameworkId?.() ?? ((await api.store.getMeta('mesos.frameworkId')) || null) } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/cluster/teardown',
      tag: 'cluster',
      summary: 'Mesos TEARDOWN: kill every task and end the framework. Name the framework ID to confirm',
      query: z.strictObject({ frameworkId: z.string().min(1).describe('The current framework ID, as a confirmation') }),
      responses: {
        202: { description: 'Teardown sent', schema: z.object({ tornDown: z.string() }) },
        409: { description: 'Not on Mesos, or not the current framework ID', schema: errorSchema },
      },
      handler: async ({ query }) => {
        const { backend } = await requireLeader(api);
        const current = backend.frameworkId?.() ?? null;
        if (!backend.teardown || current === null) throw new ApiError(409, 'conflict', 'there is no Mesos framework to tear down');
        if (query.frameworkId !== current) throw new ApiError(409, 'conflict', `the framework is ${current}, not ${query.frameworkId}; nothing was torn down`);
        backend.teardown();
        return { status: 202, body: { tornDown: current } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/agents',
      tag: 'cluster',
      summary: 'Agents runs can be placed on, with their resources',
      responses: {
        200: {
          description: 'Agents',
          schema: z.object({ agents: z.array(z.object({ id: z.string(), resources, used: resources, blacklisted: z.boolean() })) }),
        },
      },
      handler: async () => {
        const { state, backend } = await requireLeader(api);
        const blacklisted = new Set((await api.store.listBlacklist()).map((e) => e.agent));
        const agents = backend.agents().map((a) => ({
          id: a.id,
          resources: a.resources,
          used: a.id === state.capacity?.id ? state.used : usedOn(a.id),
          blacklisted: blacklisted.has(a.id),
        }));
        return { status: 200, body: { agents } };
      },
    }),
    ...(['PUT', 'DELETE'] as const).map((method) =>
      route({
        method,
        path: '/api/v1/agents/{id}/blacklist',
        tag: 'cluster',
        summary: method === 'PUT' ? 'Keep runs off an agent (Mesos backend)' : 'Let runs onto an agent again',
        params: z.strictObject({ id: z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:-]+$/, 'not an agent id') }),
        responses: {
          200: { description: 'The blacklist', schema: z.object({ blacklist: z.array(z.object({ agent: z.string(), reason: z.string(), since: z.string() })) }) },
          409: { description: 'The local backend has a single agent', schema: errorSchema },
        },
        handler: async ({ params, request }) => {
          const { backend, epoch } = await requireLeader(api);
          if (!backend.setBlacklist) throw new ApiError(409, 'conflict', 'the local backend runs everything on this host; the blacklist applies to Mesos agents');
          const reason = (request.body as { reason?: unknown } | undefined)?.reason;
          const op =
            method === 'PUT'
              ? { op: 'blacklist-agent' as const, agent: params.id, reason: typeof reason === 'string' ? reason : 'blacklisted through the API', since: Date.now() }
              : { op: 'unblacklist-agent' as const, agent: params.id };
          await api.store.write(epoch, [op]);
          const list = await api.store.listBlacklist();
          backend.setBlacklist(list.map((e) => e.agent));
          return { status: 200, body: { blacklist: list.map((e) => ({ ...e, since: new Date(e.since).toISOString() })) } };
        },
      }),
    ),
    route({
      method: 'GET',
      path: '/api/v1/events',
      tag: 'events',
      summary: 'Server-sent events: `job` and `run` changes as they happen',
      query: z.strictObject({ job: z.string().optional().describe('Only events of this job') }),
      responses: { 200: { description: 'An event stream', contentType: 'text/event-stream', schema: z.string() } },
      handler: async ({ query, request, reply }) => {
        await requireLeader(api);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        res.write(': moroccron events\n\n');
        const unsubscribe = api.events.subscribe(({ id, event }) => {
          if (query.job !== undefined && eventJob(event) !== query.job) return;
          const data = event.kind === 'run' ? { kind: 'run', run: runView(event.run) } : event;
          res.write(`id: ${id}\nevent: ${event.kind}\ndata: ${JSON.stringify(data)}\n\n`);
        });
        const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
        request.raw.on('close', () => {
          clearInterval(heartbeat);
          unsubscribe();
        });
        return null;
      },
    }),
    route({
      method: 'GET',
      path: '/healthz',
      tag: 'operations',
      summary: 'Alive: the process answers',
      responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
      handler: async () => ({ status: 200, body: { status: 'ok' } }),
    }),
    route({
      method: 'GET',
      path: '/readyz',
      tag: 'operations',
      summary: 'Ready: state loaded and the scheduler loop running',
      responses: {
        200: { description: 'Ready', schema: z.object({ status: z.literal('ready'), role: z.enum(['leader', 'standby']) }) },
        503: { description: 'Not ready yet', schema: z.object({ status: z.literal('starting') }) },
      },
      // A standby is ready too: it answers reads and sends the rest to the leader.
      handler: async () => {
        const runtime = api.leader();
        if (runtime && !runtime.state.booted) return { status: 503, body: { status: 'starting' } };
        return { status: 200, body: { status: 'ready', role: runtime ? 'leader' : 'standby' } };
      },
    }),
    route({
      method: 'GET',
      path: '/metrics',
      tag: 'operations',
      summary: 'Prometheus metrics',
      responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain', schema: z.string() } },
      handler: async ({ reply }) => {
        reply.header('content-type', api.metrics.registry.contentType);
        return { status: 200, body: await api.metrics.registry.metrics() };
      },
    }),
  ];
}

/** Resources of the runs on an agent, when the backend (not the scheduler) placed them. */
function usedOn(_agent: string) {
  return { cpus: 0, mem: 0, disk: 0, gpus: 0 };
}

const eventJob = (event: SchedulerEvent): string => (event.kind === 'run' ? event.run.job : event.job);
