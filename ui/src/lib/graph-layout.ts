/**
 * A left-to-right layered layout for a job graph: each job's column is its longest path from a
 * job with no parents, and each column is ordered by the mean row of its neighbours (a few
 * barycentre sweeps), which keeps most edges from crossing in graphs of this size.
 */

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface Placed {
  /** Column, 0 for jobs with no parents in the graph. */
  layer: number;
  /** Row within the column, 0 at the top. */
  row: number;
}

const SWEEPS = 4;

/** Jobs in an order where parents come first; jobs on a cycle (never stored, but tolerated) go last. */
function topologicalOrder(names: readonly string[], edges: readonly LayoutEdge[]): string[] {
  const indegree = new Map(names.map((n) => [n, 0]));
  const children = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const e of edges) {
    if (!indegree.has(e.from) || !indegree.has(e.to) || e.from === e.to) continue;
    indegree.set(e.to, indegree.get(e.to)! + 1);
    children.get(e.from)!.push(e.to);
  }
  const ready = names.filter((n) => indegree.get(n) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const next = ready.shift()!;
    order.push(next);
    for (const child of children.get(next)!) {
      const left = indegree.get(child)! - 1;
      indegree.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  const placed = new Set(order);
  return [...order, ...names.filter((n) => !placed.has(n))];
}

export function layeredLayout(names: readonly string[], edges: readonly LayoutEdge[]): Map<string, Placed> {
  const unique = [...new Set(names)].sort();
  const order = topologicalOrder(unique, edges);
  const rank = new Map(order.map((n, i) => [n, i]));
  const layer = new Map<string, number>(unique.map((n) => [n, 0]));
  for (const name of order) {
    for (const e of edges) {
      // Only edges that point forward in the order count, so a cycle cannot loop forever.
      if (e.from !== name || !layer.has(e.to) || rank.get(e.to)! <= rank.get(name)!) continue;
      layer.set(e.to, Math.max(layer.get(e.to)!, layer.get(name)! + 1));
    }
  }

  const columns: string[][] = [];
  for (const name of order) (columns[layer.get(name)!] ??= []).push(name);
  const dense = columns.filter((c) => c !== undefined);

  const neighbours = new Map<string, string[]>(unique.map((n) => [n, []]));
  for (const e of edges) {
    if (!neighbours.has(e.from) || !neighbours.has(e.to)) continue;
    neighbours.get(e.from)!.push(e.to);
    neighbours.get(e.to)!.push(e.from);
  }
  const rowOf = new Map<string, number>();
  const number = () => dense.forEach((column) => column.forEach((n, i) => rowOf.set(n, i)));
  number();
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    const columnsInTurn = sweep % 2 === 0 ? dense.slice(1) : dense.slice(0, -1).reverse();
    for (const column of columnsInTurn) {
      const weight = (n: string) => {
        const rows = neighbours.get(n)!.map((m) => rowOf.get(m)!);
        return rows.length === 0 ? rowOf.get(n)! : rows.reduce((a, b) => a + b, 0) / rows.length;
      };
      const weights = new Map(column.map((n) => [n, weight(n)]));
      column.sort((a, b) => weights.get(a)! - weights.get(b)! || a.localeCompare(b));
      column.forEach((n, i) => rowOf.set(n, i));
    }
  }

  const result = new Map<string, Placed>();
  dense.forEach((column, layerIndex) => column.forEach((n, row) => result.set(n, { layer: layerIndex, row })));
  return result;
}

/**
 * The jobs held back by a failure: downstream of a failed job along `after` edges, while they
 * wait or are blocked. Returns those jobs and the edges that lead to them.
 */
export function failedSubtree(
  states: ReadonlyMap<string, string>,
  edges: readonly (LayoutEdge & { kind: string })[],
): { jobs: Set<string>; edges: Set<string>; causes: Map<string, string[]> } {
  const jobs = new Set<string>();
  const marked = new Set<string>();
  const causes = new Map<string, string[]>();
  const held = (n: string) => states.get(n) === 'blocked-by-failure' || states.get(n) === 'waiting';
  for (const [failed, state] of states) {
    if (state !== 'failed') continue;
    const stack = [failed];
    const seen = new Set([failed]);
    while (stack.length > 0) {
      const from = stack.pop()!;
      for (const e of edges) {
        if (e.from !== from || e.kind !== 'after' || !held(e.to)) continue;
        marked.add(edgeId(e));
        causes.set(e.to, [...new Set([...(causes.get(e.to) ?? []), failed])]);
        jobs.add(e.to);
        if (!seen.has(e.to)) {
          seen.add(e.to);
          stack.push(e.to);
        }
      }
    }
  }
  return { jobs, edges: marked, causes };
}

export const edgeId = (e: LayoutEdge & { kind: string }): string => `${e.from}->${e.to}:${e.kind}`;
