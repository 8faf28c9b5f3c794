/**
 * Routes are declared once with zod schemas; the same declaration validates requests in
 * Fastify and writes the OpenAPI document.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { fieldErrors } from '../core/job-spec.js';
import type { Actor } from '../core/types.js';
import { ROLE_NEEDED, checkAccess, type Access, type Authenticator } from './auth.js';
import { fieldError, invalid } from './errors.js';
import { keptJsonOf } from './json-once.js';

export interface Reply {
  status: number;
  body: unknown;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
  /** Who asks (an anonymous admin when authentication is off). */
  actor: Actor;
}

export interface RouteDef<P = unknown, Q = unknown, B = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** OpenAPI style: /api/v1/jobs/{name} */
  path: string;
  summary: string;
  tag: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  /** Documents the body and, unless parseBody is given, validates it. */
  body?: z.ZodType;
  /** Validates the body and shapes what the handler gets. */
  parseBody?: (raw: unknown) => B;
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  /** What the caller needs: default `read` for GET, `operate` for the rest. */
  access?: Access;
  /** A write any member answers itself (tokens), instead of sending it to the leader. */
  anyMember?: boolean;
  /** Returns the answer, or null when it wrote the reply itself (streams). */
  handler: (input: RouteInput<P, Q, B>) => Promise<Reply | null>;
}

// Each def keeps its own type parameters; the list only needs to register and document them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDef<any, any, any>;

export const route = <P, Q, B>(def: RouteDef<P, Q, B>): AnyRoute => def;

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, what: string): T {
  if (!schema) return value as T;
  const result = schema.safeParse(value);
  if (!result.success) throw invalid(fieldErrors(result.error), what);
  return result.data;
}

/**
 * A handler that takes the raw body (parseBody) still never sees a documented field of the wrong
 * type: each field of an object body is first checked against the field of the documented schema.
 */
function checkDocumentedFields(schema: z.ZodType, raw: unknown): void {
  if (!(schema instanceof z.ZodObject) || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return;
  const shape = schema.shape as Record<string, z.ZodType>;
  const errors = Object.entries(raw).flatMap(([key, value]) => {
    const result = Object.hasOwn(shape, key) ? shape[key]!.safeParse(value) : undefined;
    return result && !result.success ? fieldErrors(result.error, [key]) : [];
  });
  if (errors.length > 0) throw invalid(errors, 'body');
}

export interface RouteHooks {
  auth: Authenticator;
  /** Runs ahead of validation for writes: a standby sends a write to the leader as it came, and the leader judges it. */
  beforeWrite: () => Promise<unknown>;
}

export const accessOf = (def: AnyRoute): Access => def.access ?? (def.method === 'GET' ? 'read' : 'operate');

/** Authenticated and authorized by role on whichever member it reaches; then sent to the leader if it writes. */
export function register(app: FastifyInstance, def: AnyRoute, hooks: RouteHooks): void {
  const access = accessOf(def);
  app.route({
    method: def.method,
    url: def.path.replace(/\{(\w+)\}/g, ':$1'),
    handler: async (request, reply) => {
      const actor = access === 'public' && hooks.auth.mode === 'tokens' ? PUBLIC : await hooks.auth.actorOf(request);
      checkAccess(actor, access, `${def.method} ${def.path}`);
      if (def.method !== 'GET' && !def.anyMember) await hooks.beforeWrite();
      const params = parse(def.params, request.params, 'path');
      const query = parse(def.query, request.query, 'query');
      let body: unknown = undefined;
      if (def.body || def.parseBody) {
        if (request.body === undefined || request.body === null) throw fieldError(400, 'invalid', '(body)', 'is missing; send a JSON or YAML body');
        if (def.parseBody && def.body) checkDocumentedFields(def.body, request.body);
        body = def.parseBody ? def.parseBody(request.body) : parse(def.body as z.ZodType, request.body, 'body');
      }
      const answer = await def.handler({ params, query, body, request, reply, actor });
      if (answer === null) return reply;
      const keptJson = keptJsonOf(answer.body);
      if (keptJson !== undefined) return reply.code(answer.status).type(FASTIFY_JSON_TYPE).send(keptJson);
      return reply.code(answer.status).send(answer.body);
    },
  });
}

/** What Fastify sends an object as: kept JSON text goes out the same way. */
const FASTIFY_JSON_TYPE = 'application/json; charset=utf-8';

/** The caller of a public route when tokens are required: nobody in particular. */
const PUBLIC: Actor = { tokenId: null, name: 'public', role: 'viewer', owners: [], address: null };

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any' });

export function openApiDocument(routes: AnyRoute[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const def of routes) {
    const parameters: unknown[] = [];
    for (const [location, schema] of [['path', def.params], ['query', def.query]] as const) {
      if (!schema || !(schema instanceof z.ZodObject)) continue;
      for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
        parameters.push({
          name,
          in: location,
          required: location === 'path' || !field.safeParse(undefined).success,
          schema: jsonSchema(field, 'input'),
          ...(field.description ? { description: field.description } : {}),
        });
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(def.responses)) {
      responses[status] = {
        description: r.description,
        ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: jsonSchema(r.schema, 'output') } } } : {}),
      };
    }
    (paths[def.path] ??= {})[def.method.toLowerCase()] = {
      summary: def.summary,
      // With --auth tokens: the bearer token and the least role that may.
      ...(accessOf(def) === 'public' ? { security: [] } : { security: [{ bearerToken: [] }], 'x-moroccron-role': ROLE_NEEDED[accessOf(def) as Exclude<Access, 'public'>] }),
      tags: [def.tag],
      ...(parameters.length ? { parameters } : {}),
      ...(def.body
        ? {
            requestBody: {
              required: true,
              content: Object.fromEntries(['application/json', 'application/yaml'].map((t) => [t, { schema: jsonSchema(def.body!, 'input') }])),
            },
          }
        : {}),
      responses,
    };
  }
  const components = { securitySchemes: { bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token, mcr_<id>_<secret> (servers started with --auth tokens)' } } };
  return { openapi: '3.1.0', info, paths, components };
}
