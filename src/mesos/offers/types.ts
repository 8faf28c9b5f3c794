/** The vocabulary of offer packing: what a task asks for and where it ends up. */
import type { Range, Resource } from '../types.js';

export type ConstraintOperator = 'EQUALS' | 'LIKE' | 'UNLIKE' | 'UNIQUE' | 'CLUSTER' | 'GROUP_BY' | 'MAX_PER';

/** [field, operator, value?] over agent attributes and `hostname` (Marathon/Metronome semantics). */
export type Constraint = readonly [field: string, operator: ConstraintOperator, value?: string];

export interface ScalarResources {
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
}

export interface ResourceNeed extends ScalarResources {
  /** How many host ports the task wants; they are picked from the offer's `ports`. */
  ports: number;
}

export interface TaskRequest {
  taskId: string;
  /** Tasks of one group share constraints such as UNIQUE or MAX_PER (e.g. the job name). */
  group: string;
  resources: ResourceNeed;
  constraints: readonly Constraint[];
  /** Higher first. */
  priority: number;
  /** Earlier first among equal priorities (epoch ms). */
  dueAt: number;
  /** Place only on this agent. */
  agentId?: string;
  /** Never place on these agents. */
  excludedAgents?: readonly string[];
}

/** A task of some group already on an agent, with that agent's attributes (incl. `hostname`). */
export interface PlacedTask {
  group: string;
  agentId: string;
  attributes: Readonly<Record<string, string>>;
}

/** One request placed: the resources to put in its TaskInfo and the host ports it got. */
export interface Placement<R extends TaskRequest = TaskRequest> {
  request: R;
  resources: Resource[];
  ports: number[];
}

/** Offers of one agent and one allocation role, answered by one ACCEPT. */
export interface OfferLaunch<R extends TaskRequest = TaskRequest> {
  offerIds: string[];
  agentId: string;
  hostname: string;
  /** The allocation role, or null when the offers carry none (framework without MULTI_ROLE). */
  role: string | null;
  attributes: Readonly<Record<string, string>>;
  tasks: Placement<R>[];
}

export interface PackResult<R extends TaskRequest = TaskRequest> {
  launches: OfferLaunch<R>[];
  /** Offers nothing was placed on: decline them. */
  unused: string[];
  /** Requests that fit nowhere, still in packing order. */
  pending: R[];
}

export type { Range };
