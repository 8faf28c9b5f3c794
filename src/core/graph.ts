/**
 * The job graph: `after` edges (a child waits for all its parents) and trigger edges
 * (a job starts another on success or failure). References must resolve and `after`
 * must stay acyclic.
 */
import type { FieldError } from './job-spec.js';
import type { JobSpec } from './types.js';

export type EdgeKind = 'after' | 'onSuccess' | 'onFailure';

export interface Edge {
  from: string;
  to: string;
  kind: EdgeKind;
}

export function edgesOf(spec: JobSpec): Edge[] {
  return [
    ...spec.after.map((parent) => ({ from: parent, to: spec.name, kind: 'after' as const })),
    ...spec.triggers.onSuccess.map((to) => ({ from: spec.name, to, kind: 'onSuccess' as const })),
    ...spec.triggers.onFailure.map((to) => ({ from: spec.name, to, kind: 'onFailure' as const })),
  ];
}

/** Problems with the references of `changed` jobs, given every job as it would be. */
export function checkReferences(all: ReadonlyMap<string, JobSpec>, changed: JobSpec[], prefix: (i: number) => string): FieldError[] {
  const errors: FieldError[] = [];
  changed.forEach((spec, i) => {
    const at = prefix(i);
    spec.after.forEach((parent, j) => {
      if (!all.has(parent)) errors.push({ field: `${at}after[${j}]`, message: `no job named "${parent}"` });
    });
    for (const kind of ['onSuccess', 'onFailure'] as const) {
      spec.triggers[kind].forEach((target, j) => {
        if (!all.has(target)) errors.push({ field: `${at}triggers.${kind}[${j}]`, message: `no job named "${target}"` });
      });
    }
    const cycle = findCycle(all, spec.name);
    if (cycle) errors.push({ field: `${at}after`, message: `dependency cycle: ${cycle.join(' waits for ')}` });
  });
  return errors;
}

/** A path of `after` edges from `start` back to itself, if there is one. */
function findCycle(all: ReadonlyMap<string, JobSpec>, start: string): string[] | null {
  const seen = new Set<string>();
  const walk = (name: string, path: string[]): string[] | null => {
    for (const parent of all.get(name)?.after ?? []) {
      if (parent === start) return [...path, start];
      if (seen.has(parent)) continue;
      seen.add(parent);
      const found = walk(parent, [...path, parent]);
      if (found) return found;
    }
    return null;
  };
  return walk(start, [start]);
}

/** Jobs that name `name` in their `after` or triggers. */
export function referrers(all: ReadonlyMap<string, JobSpec>, name: string): string[] {
  const out: string[] = [];
  for (const spec of all.values()) {
    if (spec.name !== name && edgesOf(spec).some((e) => e.from === name || e.to === name)) out.push(spec.name);
  }
  return out;
}

/** Everything upstream and downstream of a job, with the edges between them. */
export function neighbourhood(all: ReadonlyMap<string, JobSpec>, name: string): { ancestors: string[]; descendants: string[]; edges: Edge[] } {
  const edges = [...all.values()].flatMap(edgesOf).filter((e) => all.has(e.from) && all.has(e.to));
  const reach = (next: (n: string) => string[]): string[] => {
    const seen = new Set<string>();
    const stack = [name];
    while (stack.length > 0) {
      for (const n of next(stack.pop()!)) {
        if (n !== name && !seen.has(n)) {
          seen.add(n);
          stack.push(n);
        }
      }
    }
    return [...seen].sort();
  };
  const ancestors = reach((n) => edges.filter((e) => e.to === n).map((e) => e.from));
  const descendants = reach((n) => edges.filter((e) => e.from === n).map((e) => e.to));
  const members = new Set([name, ...ancestors, ...descendants]);
  return { ancestors, descendants, edges: edges.filter((e) => members.has(e.from) && members.has(e.to)) };
}
