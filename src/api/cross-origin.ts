/**
 * CORS for the cluster's own members (@fastify/cors): the web UI opened on a standby follows a
 * write's 307 to the leader, another origin, with its bearer token. Any other origin gets no
 * CORS headers, so a browser keeps its pages out. Tokens travel in a header, never a cookie,
 * so an allowed origin gains nothing a script there could not already send.
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { MemberOrigins } from './member-origins.js';

/** How long a browser may reuse a preflight's answer. */
const PREFLIGHT_MAX_AGE_S = 600;

export function registerCrossOrigin(app: FastifyInstance, origins: MemberOrigins): void {
  app.register(cors, {
    origin: (origin, callback) => {
      if (origin === undefined) return callback(null, false);
      origins.allows(origin).then(
        (allowed) => callback(null, allowed),
        () => callback(null, false),
      );
    },
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'accept', 'last-event-id'],
    exposedHeaders: ['location', 'retry-after'],
    maxAge: PREFLIGHT_MAX_AGE_S,
    // The OPTIONS route is CORS plumbing, not part of the API's document.
    hideOptionsRoute: true,
  });
}
