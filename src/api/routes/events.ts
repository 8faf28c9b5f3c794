/**
 * /api/v1/events: server-sent events. A client that reconnects names the last event it saw
 * (the Last-Event-ID header, or ?lastEventId= where it cannot set headers) and gets what it
 * missed from the bus's replay buffer, or `event: reset` when those events are gone (or were
 * another process's): it should then fetch again what it shows.
 */
import { z } from 'zod';
import { text } from '../../core/input-limits.js';
import { name } from '../../core/job-spec.js';
import type { SchedulerEvent } from '../../core/types.js';
import type { BusEvent } from '../../server/events.js';
import { requireLeader, type ApiContext } from '../context.js';
import { route, type AnyRoute } from '../route.js';
import { runView } from '../views.js';

const HEARTBEAT_MS = 15_000;

const eventJob = (event: SchedulerEvent): string => (event.kind === 'run' ? event.run.job : event.job);

function frame({ id, event }: BusEvent): string {
  const data = event.kind === 'run' ? { kind: 'run', run: runView(event.run) } : event;
  return `id: ${id}\nevent: ${event.kind}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function eventRoutes(api: ApiContext): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/api/v1/events',
      tag: 'events',
      summary:
        'Server-sent events: `job` and `run` changes as they happen, each with an id `<stream>:<n>`. ' +
        'Reconnect with Last-Event-ID to get what was missed (the last 1000 events are kept); ' +
        '`event: reset` means they are gone: fetch again. The first lines carry the current id.',
      query: z.strictObject({
        job: name('job').optional().describe('Only events of this job'),
        lastEventId: text(100).optional().describe('The last event id seen, for clients that cannot send the Last-Event-ID header (the header wins)'),
      }),
      responses: { 200: { description: 'An event stream', contentType: 'text/event-stream', schema: z.string() } },
      handler: async ({ query, request, reply }) => {
        await requireLeader(api);
        const header = request.headers['last-event-id'];
        const lastSeen = typeof header === 'string' && header !== '' ? header : query.lastEventId;
        const wanted = (item: BusEvent) => query.job === undefined || eventJob(item.event) === query.job;

        // Hijacked, the reply's headers so far (CORS, rate limit) are sent only if passed on.
        const earlier = Object.entries(reply.getHeaders());
        reply.hijack();
        const res = reply.raw;
        for (const [header, value] of earlier) if (value !== undefined) res.setHeader(header, value);
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        // HEAD: Node sends the headers with the first byte of a body, and a HEAD answer has none.
        if (request.method === 'HEAD') {
          res.end();
          return null;
        }
        // What was missed and what comes next, in one turn: nothing is published in between.
        const missed = lastSeen === undefined ? [] : api.events.since(lastSeen);
        const unsubscribe = api.events.subscribe((item) => {
          if (wanted(item)) res.write(frame(item));
        }, () => res.end());
        res.write(': moroccron events\n\n');
        if (missed === null) res.write(`id: ${api.events.lastId}\nevent: reset\ndata: {}\n\n`);
        else {
          for (const item of missed) if (wanted(item)) res.write(frame(item));
          // An id alone moves the client's Last-Event-ID on (past events of other jobs, too) and dispatches nothing.
          res.write(`id: ${api.events.lastId}\n\n`);
        }
        const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
        request.raw.on('close', () => {
          clearInterval(heartbeat);
          unsubscribe();
        });
        return null;
      },
    }),
  ];
}
