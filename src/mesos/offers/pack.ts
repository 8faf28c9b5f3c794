/**
 * First-fit packing of task requests into offers. Offers of the same agent and role
 * are pooled (one ACCEPT may combine them); each request goes to the first pool that
 * still has room and whose agent satisfies its constraints, counting the tasks already
 * placed in this packing.
 */
import type { Offer } from '../types.js';
import { satisfiesAll } from './constraints.js';
import { fits, poolOf, take, type Pool } from './pool.js';
import { offerAttributes, offerRole } from './read.js';
import type { OfferLaunch, PackResult, PlacedTask, TaskRequest } from './types.js';

/** Packing order: priority (high first), then due time, then task id. */
export function byPackingOrder(a: TaskRequest, b: TaskRequest): number {
  return b.priority - a.priority || a.dueAt - b.dueAt || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0);
}

interface Slot<R extends TaskRequest> {
  launch: OfferLaunch<R>;
  pool: Pool;
}

export function pack<R extends TaskRequest>(offers: readonly Offer[], requests: readonly R[], running: readonly PlacedTask[]): PackResult<R> {
  const slots = slotsOf<R>(offers);
  // The tasks of each group, running and placed so far: what a request's constraints count.
  const byGroup = new Map<string, PlacedTask[]>();
  const addPlaced = (task: PlacedTask): void => {
    const members = byGroup.get(task.group);
    if (members) members.push(task);
    else byGroup.set(task.group, [task]);
  };
  for (const task of running) addPlaced(task);
  const pending: R[] = [];
  const offered = slots.map((s) => s.launch.attributes);
  for (const request of [...requests].sort(byPackingOrder)) {
    const group = byGroup.get(request.group) ?? [];
    const slot = slots.find((s) => allows(s, request, group, offered));
    if (!slot) {
      pending.push(request);
      continue;
    }
    slot.launch.tasks.push({ request, ...take(slot.pool, request.resources) });
    addPlaced({ group: request.group, agentId: slot.launch.agentId, attributes: slot.launch.attributes });
  }
  const used = slots.filter((s) => s.launch.tasks.length > 0);
  return {
    launches: used.map((s) => s.launch),
    unused: slots.filter((s) => s.launch.tasks.length === 0).flatMap((s) => s.launch.offerIds),
    pending,
  };
}

function allows<R extends TaskRequest>(slot: Slot<R>, request: R, group: readonly PlacedTask[], offered: readonly Readonly<Record<string, string>>[]): boolean {
  const agentId = slot.launch.agentId;
  if (request.agentId !== undefined && request.agentId !== agentId) return false;
  if (request.excludedAgents?.includes(agentId)) return false;
  return fits(slot.pool, request.resources) && satisfiesAll(request.constraints, slot.launch.attributes, group, offered);
}

function slotsOf<R extends TaskRequest>(offers: readonly Offer[]): Slot<R>[] {
  const byKey = new Map<string, Offer[]>();
  for (const offer of offers) {
    const key = JSON.stringify([offer.agent_id.value, offerRole(offer)]);
    byKey.set(key, [...(byKey.get(key) ?? []), offer]);
  }
  return [...byKey.values()].map((group) => {
    const first = group[0]!;
    return {
      pool: poolOf(group),
      launch: {
        offerIds: group.map((o) => o.id.value),
        agentId: first.agent_id.value,
        hostname: first.hostname,
        role: offerRole(first),
        attributes: offerAttributes(first),
        tasks: [],
      },
    };
  });
}
