/**
 * The jobs in ascending name order, beside the job map, so a page of the list starts at its
 * cursor by binary search and a pass over the jobs is a walk along an array (at 100,000
 * jobs, looking each name up in the map cost more than the page). Adding or removing a
 * job moves the tail of the array (a memmove).
 */
import type { JobEntry } from './state.js';

const nameOf = (entry: JobEntry): string => entry.stored.spec.name;

/** The index of the first job whose name is not below `name`. */
export function orderIndex(order: readonly JobEntry[], name: string): number {
  let [lo, hi] = [0, order.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (nameOf(order[mid]!) < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Puts the entry in its place, or in place of the job's entry before it. */
export function placeInOrder(order: JobEntry[], entry: JobEntry): void {
  const at = orderIndex(order, nameOf(entry));
  if (at < order.length && nameOf(order[at]!) === nameOf(entry)) order[at] = entry;
  else order.splice(at, 0, entry);
}

export function removeFromOrder(order: JobEntry[], name: string): void {
  const at = orderIndex(order, name);
  if (at < order.length && nameOf(order[at]!) === name) order.splice(at, 1);
}

export const inNameOrder = (entries: Iterable<JobEntry>): JobEntry[] => [...entries].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
