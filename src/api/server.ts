/** The HTTP server: JSON and YAML bodies, one error shape, the routes and their OpenAPI document, and the web UI. */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { registerBodyParsers } from './body-parsers.js';
import { LeaderElsewhere, requireLeader, type ApiContext } from './context.js';
import { ApiError } from './errors.js';
import { answerClientError, fromFastifyError } from './framework-errors.js';
import { openApiDocument, register, route, type AnyRoute } from './route.js';
import { registerCrossOrigin } from './cross-origin.js';
import { memberOrigins } from './member-origins.js';
import { registerRateLimit } from './rate-limit.js';
import { registerUi } from './static-ui.js';
import { eventRoutes } from './routes/events.js';
import { forecastRoutes } from './routes/forecast.js';
import { jobRoutes } from './routes/jobs.js';
import { ownerRoutes } from './routes/owners.js';
import { runRoutes } from './routes/runs.js';
import { systemRoutes } from './routes/system.js';
import { tokenRoutes } from './routes/tokens.js';

export const BODY_LIMIT_BYTES = 1 << 20;

/** Fastify's default; names are at most 100 characters. */
const MAX_PARAM_LENGTH = 100;

/** A request (headers and body) slower than this is answered 408, so a short body cannot hold a connection forever. */
const REQUEST_TIMEOUT_MS = 60_000;

/** PEM text of the certificate (with its chain) and its private key, to serve HTTPS. */
export interface TlsCredentials {
  cert: string;
  key: string;
}

export function buildApi(api: ApiContext, logger: Logger, tls?: TlsCredentials): FastifyInstance {
  let routePaths: string[] = [];
  const app = Fastify({
    https: tls ?? null,
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    requestTimeout: REQUEST_TIMEOUT_MS,
    // One log line per request would drown the scheduler's own lines; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const answer = fromFastifyError(error, request, routePaths, MAX_PARAM_LENGTH);
      reply.code(answer.status).send(answer.body());
    },
    clientErrorHandler: answerClientError,
  });

  registerBodyParsers(app);
  registerRateLimit(app, api.rateLimit ?? null, (request) => api.auth.vouchedTokenId(request));
  const origins = memberOrigins(api.cluster, api.uiUrl);
  registerCrossOrigin(app, origins);

  app.setErrorHandler((error: FastifyError | ApiError | LeaderElsewhere, request, reply) => {
    if (error instanceof ApiError) return reply.code(error.status).headers(error.headers).send(error.body());
    if (error instanceof LeaderElsewhere) {
      // 307 keeps the method and body, so clients (the CLI, curl -L) replay the request on the leader.
      if (error.leaderUrl) return reply.code(307).header('location', error.leaderUrl + request.url).send(new ApiError(307, 'not_leader', error.message).body());
      return reply.code(503).header('retry-after', '1').send(new ApiError(503, 'no_leader', error.message).body());
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error, url: request.url }, 'request failed');
      return reply.code(500).send(new ApiError(500, 'internal', 'internal error; see the server log').body());
    }
    const answer = fromFastifyError(error, request, routePaths, MAX_PARAM_LENGTH);
    return reply.code(answer.status).send(answer.body());
  });
  const uiFallback = registerUi(app, api.uiDir, () => origins.list());
  app.setNotFoundHandler(async (request, reply) => {
    if (await uiFallback(request, reply)) return reply;
    return reply.code(404).send(new ApiError(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`).body());
  });

  const routes: AnyRoute[] = [
    ...jobRoutes(api),
    ...forecastRoutes(api),
    ...ownerRoutes(api),
    ...runRoutes(api),
    ...eventRoutes(api),
    ...systemRoutes(api),
    ...tokenRoutes(api),
  ];
  const info = { title: 'moroccron', version: api.version };
  const docRoute = route({
    method: 'GET',
    path: '/openapi.json',
    access: 'public',
    tag: 'operations',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1', schema: z.object({ openapi: z.string() }).passthrough() } },
    // Made on first request: building it converts every schema, a fifth of a second at start.
    handler: async () => ({ status: 200, body: (document ??= openApiDocument(documented, info)) }),
  });
  const documented: AnyRoute[] = [...routes, docRoute];
  routePaths = documented.map((def) => def.path);
  let document: ReturnType<typeof openApiDocument> | undefined;
  for (const def of [...routes, docRoute]) register(app, def, { auth: api.auth, beforeWrite: () => requireLeader(api) });
  return app;
}
