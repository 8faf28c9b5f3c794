/** Each agent's own loopback HTTP server: /files/read, /files/browse, a minimal /state and /flags. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent } from './agent.js';
import { AGENT_READONLY_REALM, authenticate, type CredentialTable } from './authentication.js';
import { browse, readFile, type FilesAnswer } from './agent-files.js';
import { sendJson, sendText } from './http-io.js';

function agentState(agent: Agent): unknown {
  const frameworks = new Map<string, { id: string; executors: unknown[] }>();
  for (const task of agent.tasks.values()) {
    const fw = frameworks.get(task.frameworkId) ?? { id: task.frameworkId, executors: [] };
    frameworks.set(task.frameworkId, fw);
    fw.executors.push({ id: task.executorId, container: task.containerId, directory: task.sandbox, tasks: [{ id: task.info.task_id.value, state: task.latestState }] });
  }
  return {
    id: agent.id,
    hostname: agent.hostname,
    pid: `slave(1)@${agent.hostname}:${agent.port}`,
    resources: agent.total.toStateJson(),
    attributes: agent.attributes,
    frameworks: [...frameworks.values()],
  };
}

/** `readonlyCredentials`: the agent runs with --authenticate_http_readonly and these. */
export async function startAgentServer(agent: Agent, host: string, workDir: string, readonlyCredentials?: CredentialTable, log: (line: string) => void = () => {}): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://agent');
    const answer = (a: FilesAnswer): void => (a.json !== undefined ? sendJson(res, a.status, a.json) : sendText(res, a.status, a.text ?? ''));
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, '', { Allow: 'GET' });
    if (!authenticate(req, res, readonlyCredentials, AGENT_READONLY_REALM, log).ok) return;
    switch (url.pathname) {
      case '/files/read':
      case '/files/read.json':
        return answer(readFile(workDir, agent.id, url.searchParams, agent.simulatedSandboxes));
      case '/files/browse':
      case '/files/browse.json':
        return answer(browse(workDir, agent.id, url.searchParams, agent.simulatedSandboxes));
      case '/state':
      case '/state.json':
      case '/slave(1)/state':
        return sendJson(res, 200, agentState(agent));
      // A real agent shows every flag, each value a string; these are the ones a framework reads.
      case '/flags':
      case '/slave(1)/flags':
        return sendJson(res, 200, { flags: { hostname: agent.hostname, port: String(agent.port), isolation: agent.flags.isolation, containerizers: agent.flags.containerizers } });
      default:
        return sendText(res, 404, '');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  agent.port = (server.address() as AddressInfo).port;
  return server;
}
