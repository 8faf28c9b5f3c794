/** The API's index, cluster view, agents, health, readiness and metrics. */
import { z } from 'zod';
import { LIMITS, text } from '../../core/input-limits.js';
import { fieldErrors } from '../../core/job-spec.js';
import { FRAMEWORK_ID_META } from '../../core/types.js';
import { requireLeader, runCommand, type ApiContext } from '../context.js';
import { ApiError, invalid } from '../errors.js';
import { errorSchema } from './schemas.js';
import { route, type AnyRoute } from '../route.js';

const member = z.object({ id: z.string(), url: z.string() });
/** PUT /agents/{id}/blacklist: the body is optional, so it is checked in the handler. */
const blacklistBody = z.strictObject({ reason: text(LIMITS.agentReason).min(1).optional() }).optional();

const resources = z.object({ cpus: z.number(), mem: z.number(), disk: z.number(), gpus: z.number() });

export function systemRoutes(api: ApiContext): AnyRoute[] {
  const isolation = z.object({
    mode: z.enum(['cgroups-v2', 'cgroups-v1', 'none', 'mesos']).describe('mesos: a Mesos agent, whose isolators enforce resources'),
    why: z.string().nullable().describe('Why there is no isolation'),
    isolators: z.array(z.string()).optional().describe("A Mesos agent's --isolation, as its /flags says"),
    containerizers: z.array(z.string()).optional().describe("A Mesos agent's --containerizers"),
    containers: z
      .union([z.object({ runtime: z.enum(['podman', 'docker']), version: z.string() }), z.object({ runtime: z.null(), why: z.string() })])
      .optional()
      .describe("The local backend: what runs jobs' container images (podman or docker), or why nothing does"),
  });
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
            isolation: isolation.nullable().describe('How the local backend holds runs to their resources (on the leader); null on Mesos, where each agent says'),
          }),
        },
        503: { description: 'The shared store does not answer', schema: errorSchema },
      },
      handler: async () => {
        const view = await api.cluster().catch((error: Error) => {
          throw new ApiError(503, 'store_unavailable', `the store ${api.store.description} did not answer who leads: ${error.message}`);
        });
        const leader = api.leader();
        const frameworkId = leader ? leader.queries.frameworkId() : (await api.store.getMeta(FRAMEWORK_ID_META)) || null;
        const isolated = leader?.backend.kind === 'local' ? (leader.backend.agents()[0]?.isolation ?? null) : null;
        return { status: 200, body: { ...view, frameworkId, isolation: isolated } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/cluster/teardown',
      access: 'admin',
      tag: 'cluster',
      summary: 'Mesos TEARDOWN: kill every task and end the framework. Name the framework ID to confirm',
      query: z.strictObject({ frameworkId: text(200).min(1).describe('The current framework ID, as a confirmation') }),
      responses: {
        202: { description: 'Teardown sent', schema: z.object({ tornDown: z.string() }) },
        409: { description: 'Not on Mesos, or not the current framework ID', schema: errorSchema },
      },
      handler: async ({ query, actor }) => ({ status: 202, body: (await runCommand(api, actor, { kind: 'teardown', frameworkId: query.frameworkId })).value }),
    }),
    route({
      method: 'GET',
      path: '/api/v1/agents',
      tag: 'cluster',
      summary: 'Agents runs can be placed on, with their resources',
      responses: {
        200: {
          description: 'Agents',
          schema: z.object({
            agents: z.array(
              z.object({
                id: z.string(),
                resources,
                used: resources,
                attributes: z.record(z.string(), z.string()),
                blacklisted: z.boolean(),
                blacklist: z.object({ reason: z.string(), since: z.string() }).nullable().describe('Why and since when, while blacklisted'),
                isolation: isolation.nullable().describe('What the agent enforces of a run\'s resources; null: not known'),
              }),
            ),
          }),
        },
      },
      handler: async () => {
        const { queries, backend } = await requireLeader(api);
        const blacklisted = new Map(queries.blacklist().map((e) => [e.agent, e]));
        const local = queries.capacity();
        const agents = backend.agents().map((a) => {
          const entry = blacklisted.get(a.id);
          return {
            id: a.id,
            resources: a.resources,
            // The backend knows what the agents' tasks hold (Mesos); locally the scheduler accounts for it.
            used: a.used ?? (local?.agent === a.id ? local.used : { cpus: 0, mem: 0, disk: 0, gpus: 0 }),
            attributes: a.attributes,
            blacklisted: entry !== undefined,
            blacklist: entry ? { reason: entry.reason, since: new Date(entry.since).toISOString() } : null,
            isolation: a.isolation ?? null,
          };
        });
        return { status: 200, body: { agents } };
      },
    }),
    ...(['PUT', 'DELETE'] as const).map((method) =>
      route({
        method,
        path: '/api/v1/agents/{id}/blacklist',
        access: 'admin',
        tag: 'cluster',
        summary: method === 'PUT' ? 'Keep runs off an agent (Mesos backend)' : 'Let runs onto an agent again',
        params: z.strictObject({ id: z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:-]+$/, 'not an agent id') }),
        responses: {
          200: { description: 'The blacklist', schema: z.object({ blacklist: z.array(z.object({ agent: z.string(), reason: z.string(), since: z.string() })) }) },
          409: { description: 'The local backend has a single agent', schema: errorSchema },
        },
        handler: async ({ params, request, actor }) => {
          const body = method === 'PUT' ? blacklistBody.safeParse(request.body ?? undefined) : null;
          if (body && !body.success) throw invalid(fieldErrors(body.error), 'body');
          const reason = body?.data?.reason;
          const { value } =
            method === 'PUT'
              ? await runCommand(api, actor, { kind: 'blacklist-agent', agent: params.id, reason: reason ?? 'blacklisted through the API' })
              : await runCommand(api, actor, { kind: 'unblacklist-agent', agent: params.id });
          return { status: 200, body: { blacklist: value.map((e) => ({ ...e, since: new Date(e.since).toISOString() })) } };
        },
      }),
    ),
    route({
      method: 'GET',
      path: '/api/v1',
      access: 'public',
      tag: 'operations',
      summary: 'Where things are: the API, its OpenAPI document, metrics and the web UI',
      responses: {
        200: {
          description: 'An index',
          schema: z.object({ name: z.literal('moroccron'), version: z.string(), api: z.string(), openapi: z.string(), metrics: z.string(), events: z.string(), ui: z.string() }),
        },
      },
      handler: async () => ({
        status: 200,
        body: { name: 'moroccron', version: api.version, api: '/api/v1', openapi: '/openapi.json', metrics: '/metrics', events: '/api/v1/events', ui: '/' },
      }),
    }),
    route({
      method: 'GET',
      path: '/healthz',
      access: 'public',
      tag: 'operations',
      summary: 'Alive: the process answers',
      responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
      handler: async () => ({ status: 200, body: { status: 'ok' } }),
    }),
    route({
      method: 'GET',
      path: '/readyz',
      access: 'public',
      tag: 'operations',
      summary: 'Ready: state loaded and the scheduler loop running',
      responses: {
        200: { description: 'Ready', schema: z.object({ status: z.literal('ready'), role: z.enum(['leader', 'standby']) }) },
        503: {
          description: 'Not ready: starting, or the store cannot be written (scheduling waits)',
          schema: z.object({ status: z.enum(['starting', 'store_unavailable']), reason: z.string().optional() }),
        },
      },
      // A standby is ready too: it answers reads and sends the rest to the leader.
      handler: async () => {
        const runtime = api.leader();
        if (runtime && !runtime.queries.booted()) return { status: 503, body: { status: 'starting' } };
        const health = runtime?.loop.health();
        if (health && !health.ok) {
          return { status: 503, body: { status: 'store_unavailable', reason: `since ${new Date(health.since).toISOString()}: ${health.error}` } };
        }
        return { status: 200, body: { status: 'ready', role: runtime ? 'leader' : 'standby' } };
      },
    }),
    route({
      method: 'GET',
      path: '/metrics',
      access: api.metricsOpen ? 'public' : 'read',
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
