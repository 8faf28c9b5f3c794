/**
 * The job graph: `after` edges (a child waits for all its parents) and trigger edges (a job
 * starts another on success or failure). References must resolve, and neither kind of edge
 * may close a cycle (a cycle of `after` never runs; one of triggers never stops).
 */
import { triggeredJobs, type FieldError } from './job-spec.js';
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
    ...triggeredJobs(spec.triggers.onSuccess).map((to) => ({ from: spec.name, to, kind: 'onSuccess' as const })),
    ...triggeredJobs(spec.triggers.onFailure).map((to) => ({ from: spec.name, to, kind: 'onFailure' as const })),
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
        if (typeof target === 'string' && !all.has(target)) errors.push({ field: `${at}triggers.${kind}[${j}]`, message: `no job named "${target}"` });
      });
    }
    const cycle = findCycle(all, spec.name);
    if (cycle) errors.push({ field: cycle.field === 'after' ? `${at}after` : `${at}triggers`, message: cycle.message });
  });
  return errors;
}

/** A path from `start` back to itself along `after` edges (child to parent), or along trigger edges. */
function findCycle(all: ReadonlyMap<string, JobSpec>, start: string): { field: 'after' | 'triggers'; message: string } | null {
  const parents = (name: string) => all.get(name)?.after ?? [];
  const triggered = (name: string) => {
    const spec = all.get(name);
    return spec ? [...triggeredJobs(spec.triggers.onSuccess), ...triggeredJobs(spec.triggers.onFailure)] : [];
  };
  const viaAfter = pathBack(start, parents);
  if (viaAfter) return { field: 'after', message: `dependency cycle: ${viaAfter.join(' waits for ')}` };
  const viaTriggers = pathBack(start, triggered);
  if (viaTriggers) return { field: 'triggers', message: `trigger cycle: ${viaTriggers.join(' starts ')}` };
  return null;
}

function pathBack(start: string, next: (name: string) => readonly string[]): string[] | null {
  const seen = new Set<string>();
  const walk = (name: string, path: string[]): string[] | null => {
    for (const n of next(name)) {
      if (n === start) return [...path, start];
      if (seen.has(n)) continue;
      seen.add(n);
      const found = walk(n, [...path, n]);
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

/** The spec with every reference to `gone` removed (a parent deleted with ?force=true). */
export function withoutReferencesTo(spec: JobSpec, gone: string): JobSpec {
  const keep = (t: JobSpec['triggers']['onSuccess'][number]) => t !== gone;
  return {
    ...spec,
    after: spec.after.filter((p) => p !== gone),
    triggers: { onSuccess: spec.triggers.onSuccess.filter(keep), onFailure: spec.triggers.onFailure.filter(keep) },
  };
}

/** Children of each job along `after` edges. */
export function childrenIndex(all: Iterable<JobSpec>): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const spec of all) for (const parent of spec.after) children.set(parent, [...(children.get(parent) ?? []), spec.name]);
  return children;
}

/** Everything that waits on `name` through `after` edges, nearest first: what its failure holds up. */
export function waitingSubtree(children: ReadonlyMap<string, readonly string[]>, name: string): string[] {
  const seen = new Set<string>([name]);
  const order: string[] = [];
  for (let queue = [name]; queue.length > 0; ) {
    const next: string[] = [];
    for (const n of queue) {
      for (const child of children.get(n) ?? []) {
        if (seen.has(child)) continue;
        seen.add(child);
        order.push(child);
        next.push(child);
      }
    }
    queue = next;
  }
  return order;
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

/** Keep the children index in step when a job's `after` changes (or the job goes: `now` empty). */
export function relinkParents(children: Map<string, string[]>, child: string, before: readonly string[], now: readonly string[]): void {
  for (const parent of before) {
    if (now.includes(parent)) continue;
    const left = (children.get(parent) ?? []).filter((c) => c !== child);
    if (left.length > 0) children.set(parent, left);
    else children.delete(parent);
  }
  for (const parent of now) {
    const list = children.get(parent) ?? [];
    if (!list.includes(child)) children.set(parent, [...list, child]);
  }
}
