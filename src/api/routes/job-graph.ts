/**
 * GET /jobs/{name}/graph: the neighbourhood of a job with each job's state. The leader draws
 * it from the jobs it holds; any other member from its store (every job read to find the
 * neighbours: 0.9 s at 100,000 jobs on SQLite).
 */
import { z } from 'zod';
import { neighbourhood } from '../../core/graph.js';
import { graphStates, type NodeFacts } from '../../core/graph-state.js';
import type { SchedulerQueries } from '../../core/queries.js';
import type { JobSpec, RunStatus, StoredJob } from '../../core/types.js';
import { notFound } from '../errors.js';
import type { RouteStore } from '../route-store.js';

export const nodeState = z.enum(['ok', 'running', 'waiting', 'blocked-by-failure', 'failed']);

const ACTIVE: RunStatus[] = ['waiting', 'queued', 'launching', 'running'];

/** Where a graph is drawn from: every job's spec, then the facts of the jobs in the neighbourhood. */
export interface GraphSource {
  specs(): Promise<ReadonlyMap<string, JobSpec>>;
  facts(name: string): Promise<NodeFacts | null>;
}

export function leaderGraphSource(queries: Pick<SchedulerQueries, 'jobSpecs' | 'graphFacts'>): GraphSource {
  return { specs: async () => queries.jobSpecs(), facts: async (name) => queries.graphFacts(name) };
}

export function storeGraphSource(store: Pick<RouteStore, 'listJobs' | 'listRuns'>): GraphSource {
  let jobs = new Map<string, StoredJob>();
  return {
    async specs() {
      jobs = new Map((await store.listJobs()).map((j) => [j.spec.name, j]));
      return new Map([...jobs].map(([name, job]) => [name, job.spec]));
    },
    async facts(name) {
      const job = jobs.get(name);
      if (!job) return null;
      const active = await store.listRuns({ job: name, status: ACTIVE, limit: 20 });
      return { spec: job.spec, progress: job.progress, active: active.runs.map((r) => r.status) };
    },
  };
}

export async function jobGraph(source: GraphSource, name: string) {
  const specs = await source.specs();
  if (!specs.has(name)) throw notFound(`job ${name}`);
  const { ancestors, descendants, edges } = neighbourhood(specs, name);
  // Ancestors of the ancestors decide whether they are blocked: every job upstream takes part.
  const members = [name, ...ancestors, ...descendants];
  const facts = new Map<string, NodeFacts>();
  await Promise.all(
    members.map(async (member) => {
      const found = await source.facts(member);
      if (found) facts.set(member, found);
    }),
  );
  const states = graphStates(facts);
  const node = (n: string) => ({ name: n, state: states.get(n) ?? 'ok' });
  return { job: node(name), ancestors: ancestors.map(node), descendants: descendants.map(node), edges };
}
