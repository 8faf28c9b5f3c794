/**
 * An in-process fake Mesos master with N agents, speaking the v1 scheduler HTTP API on
 * loopback and running tasks as real processes (or simulated ones). See docs/mesos.md#sim.
 */
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healAgent, partitionAgent } from './agent-links.js';
import { startAgentServer } from './agent-server.js';
import { Master } from './master.js';
import { masterState } from './master-state.js';
import { metricsSnapshot } from './metrics.js';
import { createMasterServer, type LeaderLookup } from './master-server.js';
import { resolveOptions, type MesosSimOptions, type RestartMasterOptions } from './options.js';

export type { MasterRegistry, MesosSimOptions, RestartMasterOptions } from './options.js';

export interface MesosStandbyOptions extends MesosSimOptions {
  /** Makes this sim a non-leading master: "host:port" of the leader, or undefined when none is elected. */
  standbyOf?: LeaderLookup;
}

export interface MesosSim {
  /** http://host:port of the master. */
  url: string;
  /** The current master's id (a restart elects a new one). */
  readonly masterId: string;
  close(): Promise<void>;
  /**
   * Master failover: streams end, offers and removed-framework memory vanish; agents and tasks
   * stay and re-register after a delay (see RestartMasterOptions). After an abort (a call of
   * type UNKNOWN) this starts the master again on the same port.
   */
  restartMaster(options?: RestartMasterOptions): Promise<void>;
  /** The same document as GET /master/state. */
  state(): unknown;
  /** The same counters as GET /metrics/snapshot. */
  metrics(): Record<string, number>;
  /** A network partition cuts the agent off (its tasks become TASK_UNREACHABLE and keep running). */
  partitionAgent(agentId: string): void;
  /** The partition heals: the agent re-registers and its tasks report their current state. */
  healAgent(agentId: string): void;
}

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

const listen = (server: Server, port: number, host: string): Promise<void> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

export async function startMesosSim(options: MesosStandbyOptions = {}): Promise<MesosSim> {
  const config = resolveOptions({ ...options, agents: options.agents ?? (options.standbyOf ? 0 : 3) });
  const master = new Master(config);
  const servers: Server[] = [];
  const agentCredentials = config.authenticateReadonly ? config.credentials : undefined;
  for (let i = 0; i < config.agents; i++) servers.push(await startAgentServer(master.addAgent(i), config.host, config.workDir, agentCredentials, config.log));
  const server = createMasterServer(master, options.standbyOf);
  await listen(server, config.port, config.host);
  master.port = (server.address() as AddressInfo).port;
  servers.push(server);
  let aborted: Promise<void> | undefined;
  master.onAbort = () => {
    aborted = closeServer(server);
  };
  master.start();
  config.log(`mesos sim master ${master.id} on ${config.host}:${master.port} with ${config.agents} agents`);
  let closed = false;
  return {
    url: `http://${config.host}:${master.port}`,
    get masterId() {
      return master.id;
    },
    state: () => masterState(master),
    metrics: () => metricsSnapshot(master),
    restartMaster: async (restart) => {
      if (aborted) {
        await aborted;
        aborted = undefined;
        await listen(server, master.port, config.host);
      }
      master.restart(restart);
    },
    partitionAgent: (agentId) => partitionAgent(master, agentId),
    healAgent: (agentId) => healAgent(master, agentId),
    close: async () => {
      if (closed) return;
      closed = true;
      master.stop();
      await Promise.all(servers.map(closeServer));
      if (config.ownsWorkDir) rmSync(config.workDir, { recursive: true, force: true });
    },
  };
}
