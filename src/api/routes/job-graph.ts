/** GET /jobs/{name}/graph: the neighbourhood of a job with each job's state, read from the store (any member answers). */
import { z } from 'zod';
import { neighbourhood } from '../../core/graph.js';
import { graphStates, type NodeFacts } from '../../core/graph-state.js';
import type { RunStatus } from '../../core/types.js';
import { notFound } from '../errors.js';
import type { RouteStore } from '../route-store.js';

export const nodeState = z.enum(['ok', 'running', 'waiting', 'blocked-by-failure', 'failed']);

const ACTIVE: RunStatus[] = ['waiting', 'queued', 'launching', 'running'];

export async function jobGraph(store: RouteStore, name: string) {
  const jobs = new Map((await store.listJobs()).map((j) => [j.spec.name, j]));
  if (!jobs.has(name)) throw notFound(`job ${name}`);
  const { ancestors, descendants, edges } = neighbourhood(new Map([...jobs].map(([n, j]) => [n, j.spec])), name);
  // Ancestors of the ancestors decide whether they are blocked: every job upstream takes part.
  const members = [name, ...ancestors, ...descendants];
  const facts = new Map<string, NodeFacts>();
  await Promise.all(
    members.map(async (member) => {
      const job = jobs.get(member)!;
      const active = await store.listRuns({ job: member, status: ACTIVE, limit: 20 });
      facts.set(member, { spec: job.spec, progress: job.progress, active: active.runs.map((r) => r.status) });
    }),
  );
  const states = graphStates(facts);
  const node = (n: string) => ({ name: n, state: states.get(n) ?? 'ok' });
  return { job: node(name), ancestors: ancestors.map(node), descendants: descendants.map(node), edges };
}
