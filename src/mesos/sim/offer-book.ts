/** Outstanding offers and refuse filters (per framework, role, agent). */
import type { Filters } from '../types.js';
import type { Resources } from './resources.js';

export interface SimOffer {
  id: string;
  frameworkId: string;
  agentId: string;
  role: string;
  resources: Resources;
  timer?: NodeJS.Timeout;
}

interface RefuseFilter {
  resources: Resources;
  expiresAt: number;
}

const DEFAULT_REFUSE_SECONDS = 5;
const MAX_REFUSE_SECONDS = 365 * 24 * 3600;

/** Filters.refuse_seconds as the master reads it: absent = 5 s, invalid = 5 s, capped at a year. */
export function refuseSeconds(filters: Filters | undefined): number {
  const value = filters?.refuse_seconds ?? DEFAULT_REFUSE_SECONDS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return DEFAULT_REFUSE_SECONDS;
  return Math.min(value, MAX_REFUSE_SECONDS);
}

const filterKey = (frameworkId: string, role: string, agentId: string): string => `${frameworkId}\u0000${role}\u0000${agentId}`;

export class OfferBook {
  readonly offers = new Map<string, SimOffer>();
  private readonly filters = new Map<string, RefuseFilter[]>();

  add(offer: SimOffer): void {
    this.offers.set(offer.id, offer);
  }

  get(id: string): SimOffer | undefined {
    return this.offers.get(id);
  }

  /** Removes an offer (used, declined, rescinded or discarded). */
  take(id: string): SimOffer | undefined {
    const offer = this.offers.get(id);
    if (!offer) return undefined;
    if (offer.timer) clearTimeout(offer.timer);
    this.offers.delete(id);
    return offer;
  }

  ofFramework(frameworkId: string): SimOffer[] {
    return [...this.offers.values()].filter((o) => o.frameworkId === frameworkId);
  }

  offeredOn(agentId: string): Resources[] {
    return [...this.offers.values()].filter((o) => o.agentId === agentId).map((o) => o.resources);
  }

  /** The filter lasts max(refuse_seconds, allocation interval); 0 seconds means none. */
  refuse(frameworkId: string, role: string, agentId: string, resources: Resources, filters: Filters | undefined, allocationIntervalMs: number): void {
    const seconds = refuseSeconds(filters);
    if (seconds === 0 || resources.isEmpty()) return;
    const key = filterKey(frameworkId, role, agentId);
    const list = this.filters.get(key) ?? [];
    list.push({ resources, expiresAt: Date.now() + Math.max(seconds * 1000, allocationIntervalMs) });
    this.filters.set(key, list);
  }

  /** Blocked only when the candidate is a subset of resources refused earlier. */
  isFiltered(frameworkId: string, role: string, agentId: string, candidate: Resources): boolean {
    const key = filterKey(frameworkId, role, agentId);
    const now = Date.now();
    const live = (this.filters.get(key) ?? []).filter((f) => f.expiresAt > now);
    if (live.length === 0) this.filters.delete(key);
    else this.filters.set(key, live);
    return live.some((f) => f.resources.contains(candidate));
  }

  clearFilters(frameworkId: string, roles?: readonly string[]): void {
    for (const key of [...this.filters.keys()]) {
      const [fid, role] = key.split('\u0000');
      if (fid === frameworkId && (roles === undefined || roles.includes(role!))) this.filters.delete(key);
    }
  }

  clear(): void {
    for (const offer of this.offers.values()) if (offer.timer) clearTimeout(offer.timer);
    this.offers.clear();
    this.filters.clear();
  }
}
