/** The master's HTTP routes; a standby answers with redirects to the leader (or 503). */
import { createServer, type Server } from 'node:http';
import { MASTER_READONLY_REALM, SCHEDULER_REALM, authenticate } from './authentication.js';
import type { Master } from './master.js';
import { masterState } from './master-state.js';
import { metricsSnapshot } from './metrics.js';
import { handleScheduler } from './scheduler-endpoint.js';
import { sendJson, sendText } from './http-io.js';

const SCHEDULER_PATHS = new Set(['/api/v1/scheduler', '/master/api/v1/scheduler']);
const STATE_PATHS = new Set(['/master/state', '/master/state.json', '/state', '/state.json']);
const REDIRECT_PATHS = new Set(['/redirect', '/master/redirect']);

/** "host:port" of the leader, or undefined when none is elected; absent for the leader itself. */
export type LeaderLookup = () => string | undefined;

export function createMasterServer(master: Master, standbyOf: LeaderLookup | undefined): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://master');
    const path = url.pathname;
    const leader = standbyOf ? standbyOf() : `${master.config.host}:${master.port}`;
    if (REDIRECT_PATHS.has(path)) {
      if (leader === undefined) return sendText(res, 503, 'No leader elected');
      return sendText(res, 307, '', { Location: `//${leader}` });
    }
    if (SCHEDULER_PATHS.has(path)) {
      // Authentication comes first, before the redirect to the leader.
      const auth = authenticate(req, res, master.credentials, SCHEDULER_REALM, master.config.log);
      if (!auth.ok) return;
      if (standbyOf) {
        req.resume();
        if (leader === undefined) return sendText(res, 503, 'No leader elected');
        return sendText(res, 307, '', { Location: `//${leader}/master/api/v1/scheduler${url.search}` });
      }
      handleScheduler(master, req, res, auth.principal).catch((err: unknown) => {
        master.config.log(`scheduler endpoint failed: ${String(err)}`);
        if (!res.headersSent) sendText(res, 500, String(err));
        else res.end();
      });
      return;
    }
    if (STATE_PATHS.has(path) && req.method === 'GET') {
      const readonly = master.config.authenticateReadonly ? master.credentials : undefined;
      if (!authenticate(req, res, readonly, MASTER_READONLY_REALM, master.config.log).ok) return;
      return sendJson(res, 200, masterState(master));
    }
    if (path === '/metrics/snapshot' && req.method === 'GET') {
      const readonly = master.config.authenticateReadonly ? master.credentials : undefined;
      if (!authenticate(req, res, readonly, MASTER_READONLY_REALM, master.config.log).ok) return;
      return sendJson(res, 200, metricsSnapshot(master));
    }
    if (path === '/health' || path === '/master/health') return sendText(res, 200);
    return sendText(res, 404);
  });
}
