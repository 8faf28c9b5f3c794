/** GET /state, PUT and DELETE /blacklist/<agentId>, with node:http. */
import { createServer, type ServerResponse } from 'node:http';
import type { FrameworkView } from '../../src/mesos/framework/index.js';
import type { EveryAgentFramework } from './framework.js';

function stateOf(view: FrameworkView): unknown {
  const tasks: Record<string, { taskId: string; state: string }[]> = {};
  for (const task of view.tasks.values()) {
    const agentId = task.agentId ?? 'unknown';
    (tasks[agentId] ??= []).push({ taskId: task.taskId, state: task.state });
  }
  return {
    frameworkId: view.frameworkId,
    connected: view.connected,
    agents: [...view.agents.keys()].sort(),
    tasks,
    pending: [...view.pending.values()].map((r) => ({ taskId: r.taskId, agentId: r.agentId ?? null })),
    blacklist: [...view.blacklist].sort(),
  };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
}

export function createApi(framework: EveryAgentFramework) {
  return createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const blacklisted = /^\/blacklist\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && path === '/state') return reply(response, 200, stateOf(framework.view));
    if (blacklisted && (request.method === 'PUT' || request.method === 'DELETE')) {
      const agentId = decodeURIComponent(blacklisted[1]!);
      // The message is handled before post() returns (the calls it makes follow).
      framework.post({ kind: request.method === 'PUT' ? 'blacklist' : 'unblacklist', agentId });
      return reply(response, 202, { blacklist: [...framework.view.blacklist].sort() });
    }
    reply(response, 404, { error: `no route for ${request.method} ${path}` });
  });
}
