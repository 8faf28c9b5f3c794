/**
 * Chronos `owner` (comma-separated e-mail addresses) and `ownerName` as moroccron owners: one
 * owner per distinct name and set of addresses, shared by the jobs that have the same.
 */
import type { z } from 'zod';
import { ownerSpecSchema } from '../../core/owner-spec.js';
import { notImported, text, type ChronosJob } from './chronos-fields.js';
import { NameAllocator, toName } from './names.js';

export type OwnerSpecInput = z.input<typeof ownerSpecSchema>;

/** Who a job belongs to, as Chronos said it. */
export interface OwnerRequest {
  ownerName: string;
  addresses: string[];
}

const MAX_ADDRESSES = 50;
const isAddress = (candidate: string): boolean => ownerSpecSchema.shape.email.safeParse(candidate).success;

export function ownerRequestOf(job: ChronosJob): { request?: OwnerRequest; messages: string[] } {
  const messages: string[] = [];
  const given = (text(job.owner) ?? '').split(/[,;\s]+/).filter((a) => a !== '');
  const addresses = [...new Set(given.filter(isAddress))];
  for (const bad of given.filter((a) => !isAddress(a))) messages.push(notImported(`owner ${JSON.stringify(bad)}`, 'not an e-mail address'));
  if (addresses.length > MAX_ADDRESSES) messages.push(notImported(`owner: ${addresses.length - MAX_ADDRESSES} addresses`, `an owner has at most ${MAX_ADDRESSES}`));
  const ownerName = (text(job.ownerName) ?? '').trim();
  if (ownerName === '' && addresses.length === 0) return { messages };
  return { request: { ownerName, addresses: addresses.slice(0, MAX_ADDRESSES) }, messages };
}

/** The owners of an import: the same name and addresses are one owner, the same name with other addresses another. */
export class OwnerRegistry {
  private readonly names = new NameAllocator();
  private readonly byKey = new Map<string, OwnerSpecInput>();

  /** The owner's name, and a message when it had to differ from the one asked for. */
  resolve(request: OwnerRequest): { name: string; messages: string[] } {
    const addresses = [...request.addresses].sort();
    const givenName = request.ownerName === '' ? '' : toName(request.ownerName, 'owner');
    const key = `${givenName}\n${addresses.join(',')}`;
    const known = this.byKey.get(key);
    if (known) return { name: known.name, messages: [] };
    const wanted = givenName !== '' ? givenName : toName((request.addresses[0] ?? '').split('@')[0] ?? '', 'owner');
    const name = this.names.claim(wanted);
    this.byKey.set(key, { name, ...(addresses.length === 1 ? { email: addresses[0] } : addresses.length > 1 ? { email: addresses } : {}) });
    const renamed = name === wanted ? [] : [`owner "${name}": another owner named ${wanted} has other addresses`];
    return { name, messages: renamed };
  }

  /** The owners that `used` names, in the order they were first seen. */
  owners(used: ReadonlySet<string>): OwnerSpecInput[] {
    return [...this.byKey.values()].filter((o) => used.has(o.name));
  }
}
