/**
 * The agents moroccron knows of: from the master's /master/state (its `slaves`) and from
 * offers. Gives every-agent jobs their fan-out, `GET /agents` its rows and the log reader
 * each agent's HTTP address.
 */
import type { Resources } from '../../core/types.js';
import type { Offer } from '../../mesos/types.js';
import { scalarResources } from '../../mesos/offers/index.js';

export interface KnownAgent {
  id: string;
  hostname: string;
  /** http://host:port of the agent (its /files endpoints). */
  url: string | null;
  resources: Resources;
  active: boolean;
}

interface StateAgent {
  id?: string;
  hostname?: string;
  port?: number;
  pid?: string;
  active?: boolean;
  resources?: Partial<Resources>;
}

export class AgentDirectory {
  private readonly agents = new Map<string, KnownAgent>();

  list(): KnownAgent[] {
    return [...this.agents.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): KnownAgent | undefined {
    return this.agents.get(id);
  }

  /** Ids of active agents, sorted: what every-agent jobs fan out to (before the blacklist). */
  activeIds(): string[] {
    return this.list()
      .filter((a) => a.active)
      .map((a) => a.id);
  }

  fromOffer(offer: Offer): void {
    const address = offer.url?.address;
    const known = this.agents.get(offer.agent_id.value);
    const host = address?.ip ?? address?.hostname ?? offer.hostname;
    this.agents.set(offer.agent_id.value, {
      id: offer.agent_id.value,
      hostname: offer.hostname,
      url: address ? `http://${host}:${address.port}` : (known?.url ?? null),
      // An offer holds what is free, not the agent's size: keep the size from the state when known.
      resources: known?.resources ?? { ...scalarResources(offer) },
      active: true,
    });
  }

  /** Replace the view with the master's `slaves` (agents it no longer lists become inactive). */
  fromMasterState(state: { slaves?: StateAgent[] }): void {
    const seen = new Set<string>();
    for (const slave of state.slaves ?? []) {
      if (!slave.id) continue;
      seen.add(slave.id);
      const hostPort = /@([^:]+):(\d+)$/.exec(slave.pid ?? '');
      const host = hostPort?.[1] ?? slave.hostname ?? '';
      const port = hostPort ? Number(hostPort[2]) : (slave.port ?? 5051);
      this.agents.set(slave.id, {
        id: slave.id,
        hostname: slave.hostname ?? host,
        url: host ? `http://${host}:${port}` : null,
        resources: {
          cpus: slave.resources?.cpus ?? 0,
          mem: slave.resources?.mem ?? 0,
          disk: slave.resources?.disk ?? 0,
          gpus: slave.resources?.gpus ?? 0,
        },
        active: slave.active !== false,
      });
    }
    for (const agent of this.agents.values()) if (!seen.has(agent.id)) agent.active = false;
  }
}
