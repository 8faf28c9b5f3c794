/**
 * What is left of one agent+role's offers while packing. Resources keep their
 * reservation role and allocation_info, so what a task takes is handed back to the
 * master exactly as offered (an unreserved `cpus` and a reserved one are separate).
 */
import type { Offer, Range, Resource } from '../types.js';
import { rangeSize, takePorts, toRanges } from './ranges.js';
import { SCALAR_NAMES, isPorts, isScalarName } from './read.js';
import type { ResourceNeed } from './types.js';

interface Origin {
  role?: string;
  allocation_info?: { role: string };
}

interface ScalarBucket extends Origin {
  name: string;
  amount: number;
}

interface PortBucket extends Origin {
  ranges: Range[];
}

export interface Pool {
  scalars: ScalarBucket[];
  ports: PortBucket[];
}

// Mesos keeps 3 decimal digits of scalars; round so 0.1 + 0.2 never looks like more.
const round3 = (n: number): number => Math.round(n * 1000) / 1000;
const EPSILON = 1e-6;

export function poolOf(offers: readonly Offer[]): Pool {
  const pool: Pool = { scalars: [], ports: [] };
  for (const offer of offers) {
    const fallback = offer.allocation_info ? { role: offer.allocation_info.role } : undefined;
    for (const r of offer.resources) {
      const origin = originOf(r, fallback);
      if (r.type === 'SCALAR' && isScalarName(r.name)) pool.scalars.push({ name: r.name, amount: r.scalar?.value ?? 0, ...origin });
      else if (isPorts(r)) pool.ports.push({ ranges: (r.ranges?.range ?? []).map((x) => ({ ...x })), ...origin });
    }
  }
  return pool;
}

function originOf(r: Resource, fallback: { role: string } | undefined): Origin {
  const allocation = r.allocation_info ?? fallback;
  return { ...(r.role !== undefined ? { role: r.role } : {}), ...(allocation ? { allocation_info: { ...allocation } } : {}) };
}

export function fits(pool: Pool, need: ResourceNeed): boolean {
  for (const name of SCALAR_NAMES) {
    const have = pool.scalars.filter((b) => b.name === name).reduce((n, b) => n + b.amount, 0);
    if (need[name] > have + EPSILON) return false;
  }
  return need.ports <= pool.ports.reduce((n, b) => n + rangeSize(b.ranges), 0);
}

/** Take `need` out of the pool (which must fit it); returns the TaskInfo resources and ports. */
export function take(pool: Pool, need: ResourceNeed): { resources: Resource[]; ports: number[] } {
  const resources: Resource[] = [];
  for (const name of SCALAR_NAMES) {
    let left = need[name];
    for (const bucket of pool.scalars) {
      if (left <= EPSILON) break;
      if (bucket.name !== name || bucket.amount <= EPSILON) continue;
      const amount = round3(Math.min(left, bucket.amount));
      bucket.amount = round3(bucket.amount - amount);
      left = round3(left - amount);
      resources.push({ name, type: 'SCALAR', scalar: { value: amount }, ...originFields(bucket) });
    }
  }
  const ports: number[] = [];
  for (const bucket of pool.ports) {
    if (ports.length >= need.ports) break;
    const got = takePorts(bucket.ranges, need.ports - ports.length);
    if (got.length === 0) continue;
    ports.push(...got);
    resources.push({ name: 'ports', type: 'RANGES', ranges: { range: toRanges(got) }, ...originFields(bucket) });
  }
  return { resources, ports };
}

const originFields = (o: Origin): Origin => ({
  ...(o.role !== undefined ? { role: o.role } : {}),
  ...(o.allocation_info ? { allocation_info: { ...o.allocation_info } } : {}),
});
