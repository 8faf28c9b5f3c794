/** The allocator: what is free on each reachable agent goes, as one offer, to one framework/role per cycle. */
import type { Offer } from '../types.js';
import type { Agent } from './agent.js';
import type { Framework } from './framework.js';
import { hasCapability } from './framework-info.js';
import type { MasterView } from './master-view.js';
import type { SimOffer } from './offer-book.js';

/** Mesos' --filter_gpu_resources (default true): GPU agents only go to frameworks that can use GPUs. */
const mayOffer = (framework: Framework, agent: Agent): boolean => agent.total.scalar('gpus') === 0 || hasCapability(framework.info, 'GPU_RESOURCES');

export class Allocator {
  private rotation = 0;
  private offerCounter = 0;

  constructor(private readonly master: MasterView) {}

  /** One offer per agent per cycle, to the first active framework/role that wants it; frameworks take turns. */
  allocate(): void {
    const { master } = this;
    const active = [...master.frameworks.values()].filter((f) => f.connected);
    if (active.length === 0) return;
    const start = this.rotation++ % active.length;
    const ordered = [...active.slice(start), ...active.slice(0, start)];
    const batches = new Map<Framework, Offer[]>();
    for (const agent of master.agents) {
      if (!agent.reachable) continue;
      const available = master.offers.offeredOn(agent.id).reduce((left, r) => left.minus(r), agent.total.minus(agent.used()));
      if (!available.isAllocatable()) continue;
      for (const framework of ordered) {
        if (!mayOffer(framework, agent)) continue;
        const role = framework.roles.find((r) => !framework.suppressed.has(r) && !master.offers.isFiltered(framework.id, r, agent.id, available));
        if (role === undefined) continue;
        const offer: SimOffer = { id: `${master.id}-O${this.offerCounter++}`, frameworkId: framework.id, agentId: agent.id, role, resources: available };
        master.offers.add(offer);
        framework.counters.add('offers/sent');
        this.armOfferTimeout(framework, offer);
        batches.set(framework, [...(batches.get(framework) ?? []), offerJson(framework, agent, offer)]);
        break;
      }
    }
    for (const [framework, offers] of batches) framework.send({ type: 'OFFERS', offers: { offers } });
  }

  private armOfferTimeout(framework: Framework, offer: SimOffer): void {
    const timeout = this.master.config.offerTimeoutMs;
    if (timeout === undefined) return;
    offer.timer = setTimeout(() => {
      if (!this.master.offers.take(offer.id)) return;
      framework.counters.add('offers/rescinded');
      framework.send({ type: 'RESCIND', rescind: { offer_id: { value: offer.id } } });
    }, timeout);
  }
}

function offerJson(framework: Framework, agent: Agent, offer: SimOffer): Offer {
  const multiRole = hasCapability(framework.info, 'MULTI_ROLE');
  const attributes = Object.entries(agent.attributes).map(([name, value]) => ({ name, type: 'TEXT' as const, text: { value } }));
  return {
    id: { value: offer.id },
    framework_id: { value: framework.id },
    agent_id: { value: agent.id },
    hostname: agent.hostname,
    url: { scheme: 'http', address: { hostname: agent.hostname, ip: agent.hostname, port: agent.port }, path: '/slave(1)' },
    ...(multiRole ? { allocation_info: { role: offer.role } } : {}),
    resources: offer.resources.toList(multiRole ? offer.role : undefined),
    ...(attributes.length > 0 ? { attributes } : {}),
  };
}
