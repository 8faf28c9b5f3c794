/**
 * Placement constraints on the local backend, where this host is the only agent. Each
 * constraint either always holds here, never does (the job is refused when applied), or
 * caps how many runs of the job may go at once: UNIQUE (one per value, and this host has
 * one value), MAX_PER n, and GROUP_BY n (spreading over n values leaves one run per value).
 * The semantics match the Mesos offer packer's (src/mesos/offers/constraints.ts).
 */
import { linearRegExp } from '../lib/linear-regexp.js';
import type { FieldError } from './job-spec.js';
import type { JobSpec } from './types.js';

type Constraint = JobSpec['constraints'][number];

const fullMatch = (pattern: string, text: string): boolean => linearRegExp(`^(?:${pattern})$`).test(text);

function holdsHere([field, op, value]: Constraint, attributes: Readonly<Record<string, string>>): boolean {
  const mine = attributes[field];
  if (op === 'UNLIKE') return mine === undefined || !fullMatch(value!, mine);
  if (mine === undefined) return false;
  if (op === 'EQUALS') return mine === value;
  if (op === 'LIKE') return fullMatch(value!, mine);
  if (op === 'CLUSTER') return value === undefined || mine === value;
  return true;
}

/** The constraints this host can never satisfy, named by field (`prefix` for lists). */
export function unmetOnHost(spec: JobSpec, host: string, attributes: Readonly<Record<string, string>>, prefix = ''): FieldError[] {
  const known = Object.entries(attributes).map(([k, v]) => `${k}=${v}`).join(', ');
  return spec.constraints.flatMap((c, i) =>
    holdsHere(c, attributes)
      ? []
      : [{ field: `${prefix}constraints[${i}]`, message: `${JSON.stringify(c)} never holds on this host (${host}: ${known}); the local backend runs everything here` }],
  );
}

/** How many runs of the job the constraints let go at once on one host. */
export function runsAllowedAtOnce(spec: JobSpec): number {
  let cap = Infinity;
  for (const [, op, value] of spec.constraints) {
    if (op === 'UNIQUE') cap = Math.min(cap, 1);
    if (op === 'MAX_PER') cap = Math.min(cap, Number(value));
    if (op === 'GROUP_BY' && Number(value ?? 0) >= 2) cap = Math.min(cap, 1);
  }
  return cap;
}
