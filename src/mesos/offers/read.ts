/** Reading an Offer: scalar totals, port ranges, role and attributes as strings. */
import type { Attribute, Offer, Range, Resource } from '../types.js';
import type { ScalarResources } from './types.js';

export const SCALAR_NAMES = ['cpus', 'mem', 'disk', 'gpus'] as const;

export const isScalarName = (name: string): name is (typeof SCALAR_NAMES)[number] =>
  (SCALAR_NAMES as readonly string[]).includes(name);

/** Total offered cpus, mem (MB), disk (MB) and gpus, whatever their reservation. */
export function scalarResources(offer: Offer): ScalarResources {
  const total: ScalarResources = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
  for (const r of offer.resources) {
    if (r.type === 'SCALAR' && isScalarName(r.name)) total[r.name] += r.scalar?.value ?? 0;
  }
  return total;
}

export function portRanges(offer: Offer): Range[] {
  return offer.resources.filter(isPorts).flatMap((r) => r.ranges?.range ?? []);
}

export const isPorts = (r: Resource): boolean => r.name === 'ports' && r.type === 'RANGES';

/** The role the offer is allocated to (MULTI_ROLE), or null. */
export function offerRole(offer: Offer): string | null {
  return offer.allocation_info?.role ?? offer.resources.find((r) => r.allocation_info)?.allocation_info?.role ?? null;
}

/**
 * An attribute as the string constraints compare: TEXT as is, SCALAR as its number,
 * SET as its items joined by ",", RANGES as "begin-end" pairs joined by ",".
 */
export function attributeString(attribute: Attribute): string {
  switch (attribute.type) {
    case 'TEXT':
      return attribute.text?.value ?? '';
    case 'SCALAR':
      return String(attribute.scalar?.value ?? 0);
    case 'SET':
      return (attribute.set?.item ?? []).join(',');
    case 'RANGES':
      return (attribute.ranges?.range ?? []).map((r) => `${r.begin}-${r.end}`).join(',');
  }
}

/** Agent attributes by name, plus `hostname`, which constraints may name like an attribute. */
export function offerAttributes(offer: Offer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of offer.attributes ?? []) out[a.name] = attributeString(a);
  out.hostname = offer.hostname;
  return out;
}
