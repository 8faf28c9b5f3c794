/**
 * The agents moroccron knows of: from the master's /master/state (its `slaves`) and from
 * offers. Gives every-agent jobs their fan-out, `GET /agents` its rows (size, use,
 * attributes) and the log reader each agent's HTTP address.
 */
import type { Isolation, Resources } from '../../core/types.js';
import type { Offer } from '../../mesos/types.js';
import { offerAttributes, scalarResources } from '../../mesos/offers/index.js';

export interface KnownAgent {
  id: string;
  hostname: string;
  /** http://host:port of the agent (its /files endpoints). */
  url: string | null;
  resources: Resources;
  /** What its tasks hold (the master's used_resources); null until the master's state is read. */
  used: Resources | null;
  /** What placement constraints match, `hostname` included. */
  attributes: Record<string, string>;
  active: boolean;
  /** What the agent's /flags says of its isolators and containerizers; absent until read. */
  isolation?: Isolation;
}

/** One of /master/state's `slaves`: resources as {cpus, mem, disk, gpus, ports: "[a-b]"}, attributes by name. */
interface StateAgent {
  id?: string;
  hostname?: string;
  port?: number;
  pid?: string;
  active?: boolean;
  resources?: Partial<Resources>;
  used_resources?: Partial<Resources>;
  attributes?: Record<string, string | number>;
}

/**
 * The master writes RANGES as "[a-b, c-d]" and SET as "{x, y}"; offers (and constraints)
 * read them as "a-b,c-d" and "x,y" (offers/read.ts attributeString).
 */
function attributeOf(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const listed = /^[[{](.*)[\]}]$/.exec(value);
  return listed ? listed[1]!.split(',').map((part) => part.trim()).join(',') : value;
}

const scalarsOf = (r: Partial<Resources> | undefined): Resources => ({ cpus: r?.cpus ?? 0, mem: r?.mem ?? 0, disk: r?.disk ?? 0, gpus: r?.gpus ?? 0 });

export class AgentDirectory {
  private readonly agents = new Map<string, KnownAgent>();

  list(): KnownAgent[] {
    return [...this.agents.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): KnownAgent | undefined {
    return this.agents.get(id);
  }

  /** Ids of active agents, sorted: what every-agent jobs fan out to (the scheduler takes out the blacklist). */
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
      used: known?.used ?? null,
      attributes: offerAttributes(offer),
      active: true,
      ...(known?.isolation ? { isolation: known.isolation } : {}),
    });
  }

  /** Agents whose /flags have not been read yet, and that have an address to read them at. */
  withoutIsolation(): KnownAgent[] {
    return this.list().filter((a) => a.isolation === undefined && a.url !== null);
  }

  /** What an agent's /flags said (`{flags: {isolation, containerizers, …}}`, every value a string). */
  fromAgentFlags(id: string, answer: { flags?: Record<string, unknown> }): void {
    const agent = this.agents.get(id);
    if (!agent) return;
    const list = (value: unknown): string[] => (typeof value === 'string' ? value.split(',').map((part) => part.trim()).filter(Boolean) : []);
    agent.isolation = { mode: 'mesos', why: null, isolators: list(answer.flags?.isolation), containerizers: list(answer.flags?.containerizers) };
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
      const hostname = slave.hostname ?? host;
      const attributes: Record<string, string> = {};
      for (const [name, value] of Object.entries(slave.attributes ?? {})) attributes[name] = attributeOf(value);
      this.agents.set(slave.id, {
        id: slave.id,
        hostname,
        url: host ? `http://${host}:${port}` : null,
        resources: scalarsOf(slave.resources),
        used: scalarsOf(slave.used_resources),
        attributes: { ...attributes, hostname },
        active: slave.active !== false,
        ...(this.agents.get(slave.id)?.isolation ? { isolation: this.agents.get(slave.id)!.isolation! } : {}),
      });
    }
    for (const agent of this.agents.values()) if (!seen.has(agent.id)) agent.active = false;
  }
}
