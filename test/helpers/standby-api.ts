/**
 * The real HTTP API (buildApi) of a member that does not lead, over a store the caller
 * opened, in this process, on loopback: what a standby serves, without a server process.
 */
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { openDoor } from '../../src/api/auth.js';
import { accessStore, routeStore } from '../../src/api/route-store.js';
import { buildApi } from '../../src/api/server.js';
import { DEFAULT_ENV_REDACTION } from '../../src/core/env-redaction.js';
import { EventBus } from '../../src/server/events.js';
import { Metrics } from '../../src/server/metrics.js';
import type { Store } from '../../src/store/types.js';

export interface StandbyApi {
  app: FastifyInstance;
  url: string;
}

/** Listening on a free port; `uiDir` where the web UI's files would be (default: the package's). */
export async function startStandbyApi(store: Store, options: { id?: string; uiDir?: string } = {}): Promise<StandbyApi> {
  const self = { id: options.id ?? 'standby', url: '' };
  const app = buildApi(
    {
      leader: () => null,
      cluster: async () => ({ self, isLeader: false, leader: null, epoch: null, members: [self], backend: 'local', store: store.description }),
      store: routeStore(store),
      access: accessStore(store),
      auth: openDoor(),
      metricsOpen: false,
      events: new EventBus(),
      metrics: new Metrics(() => null, () => 0),
      version: 'test',
      envRedaction: DEFAULT_ENV_REDACTION,
      ...(options.uiDir !== undefined ? { uiDir: options.uiDir } : {}),
    },
    pino({ level: 'silent' }),
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url };
}
