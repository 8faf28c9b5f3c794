/**
 * The state of each job in a graph, from what the store holds (so any member can answer):
 *   running             a run of it is launching or running
 *   failed              its latest run ended failed, after its retries
 *   blocked-by-failure  it waits for a parent that failed, or for one blocked itself
 *   waiting             it waits for parents (an occurrence held back, or some parents done)
 *   ok                  none of these
 */
import type { JobProgress, JobSpec, RunStatus } from './types.js';

export type NodeState = 'ok' | 'running' | 'waiting' | 'blocked-by-failure' | 'failed';

export interface NodeFacts {
  spec: JobSpec;
  progress: JobProgress;
  /** Statuses of its unfinished runs. */
  active: RunStatus[];
}

export function graphStates(nodes: ReadonlyMap<string, NodeFacts>): Map<string, NodeState> {
  const states = new Map<string, NodeState>();
  const stateOf = (name: string, visiting: Set<string>): NodeState => {
    const known = states.get(name);
    if (known) return known;
    const node = nodes.get(name);
    if (!node || visiting.has(name)) return 'ok';
    visiting.add(name);
    const state = decide(node, (parent) => stateOf(parent, visiting), (parent) => nodes.get(parent)?.progress ?? null);
    states.set(name, state);
    return state;
  };
  for (const name of nodes.keys()) stateOf(name, new Set());
  return states;
}

function decide(node: NodeFacts, parentState: (name: string) => NodeState, parentProgress: (name: string) => JobProgress | null): NodeState {
  if (node.active.some((s) => s === 'launching' || s === 'running')) return 'running';
  if (node.progress.lastOutcome?.status === 'failed') return 'failed';
  const missing = node.spec.after.filter((parent) => {
    const success = parentProgress(parent)?.lastSuccess;
    return !success || node.progress.consumed[parent] === success.runId;
  });
  const heldBack = node.active.includes('waiting');
  const partly = missing.length > 0 && missing.length < node.spec.after.length;
  if (missing.some((parent) => ['failed', 'blocked-by-failure'].includes(parentState(parent)))) return 'blocked-by-failure';
  return heldBack || partly ? 'waiting' : 'ok';
}
