/** ACCEPT: offer validation, then LAUNCH / LAUNCH_GROUP task by task against what is left. */
import type { Call, OfferOperation, TaskInfo, TaskState } from '../types.js';
import type { Framework } from './framework.js';
import type { LaunchRequest } from './agent.js';
import { taskResources, validateTask, validateTaskGroup, type GroupExecutor, type LaunchContext } from './launch-validation.js';
import type { Master } from './master.js';
import type { SimOffer } from './offer-book.js';
import { Resources } from './resources.js';
import { countTerminal } from './counters.js';
import { masterStatus } from './sim-task.js';
import { newUuid } from './uuid.js';

type AcceptCall = NonNullable<Call['accept']>;
type LaunchGroup = Extract<OfferOperation, { type: 'LAUNCH_GROUP' }>['launch_group'];
/** Any Offer.Operation as JSON; only LAUNCH and LAUNCH_GROUP are carried out. */
interface Operation {
  type?: string;
  id?: unknown;
  launch?: { task_infos?: TaskInfo[] };
  launch_group?: LaunchGroup;
}

function tasksOf(operations: readonly Operation[]): TaskInfo[] {
  return operations.flatMap((op) => {
    if (op.type === 'LAUNCH') return op.launch?.task_infos ?? [];
    if (op.type === 'LAUNCH_GROUP') return op.launch_group?.task_group?.tasks ?? [];
    return [];
  });
}

/** The reason an ACCEPT's offer list is unusable, or the offers. */
function checkOffers(master: Master, framework: Framework, ids: readonly string[]): { error: string } | { offers: SimOffer[] } {
  if (ids.length === 0) return { error: 'No offers specified' };
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) return { error: `Duplicate offer ${id} in offer list` };
    seen.add(id);
  }
  const offers: SimOffer[] = [];
  for (const id of ids) {
    const offer = master.offers.get(id);
    if (!offer) return { error: `Offer ${id} is no longer valid` };
    if (offer.frameworkId !== framework.id) return { error: `Offer ${id} has invalid framework ${offer.frameworkId} while framework ${framework.id} is expected` };
    offers.push(offer);
  }
  const [first] = offers;
  for (const offer of offers) {
    if (offer.agentId !== first!.agentId) {
      return { error: `Aggregated offers must belong to one single agent. Offer ${offer.id} uses agent ${offer.agentId} and offer ${first!.id} uses agent ${first!.agentId}` };
    }
    if (offer.role !== first!.role) {
      return { error: `Aggregated offers must be allocated to the same role. Offer ${offer.id} uses role ${offer.role} and offer ${first!.id} uses role ${first!.role}` };
    }
  }
  if (!master.registeredAgent(first!.agentId)) return { error: `Agent ${first!.agentId} is not available` };
  return { offers };
}

/**
 * The master validates every operation first and only then lets the agent launch what passed,
 * so all of an ACCEPT's TASK_ERRORs reach the framework before any agent update (docs/mesos.md#accept-order).
 */
export function handleAccept(master: Master, framework: Framework, accept: AcceptCall): void {
  const ids = (accept.offer_ids ?? []).map((o) => o.value);
  const operations = (accept.operations ?? []) as readonly Operation[];
  const checked = checkOffers(master, framework, ids);
  if ('error' in checked) {
    // Still-valid offers of this framework go back to the pool without a filter.
    for (const id of ids) if (master.offers.get(id)?.frameworkId === framework.id) master.offers.take(id);
    const state: TaskState = framework.partitionAware ? 'TASK_DROPPED' : 'TASK_LOST';
    for (const task of tasksOf(operations)) {
      const status = masterStatus(task.task_id.value, state, 'REASON_INVALID_OFFERS', `Task launched with invalid offers: ${checked.error}`, task.agent_id.value);
      countTerminal(master, framework, state);
      master.sendUpdate(framework, status);
    }
    return;
  }
  for (const offer of checked.offers) master.offers.take(offer.id);
  framework.counters.add('offers/accepted', checked.offers.length);
  const agent = master.registeredAgent(checked.offers[0]!.agentId)!;
  const role = checked.offers[0]!.role;
  let remaining = checked.offers.reduce((sum, o) => sum.plus(o.resources), new Resources());
  const launches: LaunchRequest[] = [];
  const launchedIds = new Set<string>();
  const ctx = (): LaunchContext => ({
    agentId: agent.id,
    role,
    remaining,
    isDuplicate: (id) => launchedIds.has(id) || master.findTask(framework.id, id) !== undefined,
  });
  // The status names the agent the task asked for, even when that is the wrong one.
  const fail = (task: TaskInfo, reason: string, message: string): void => {
    countTerminal(master, framework, 'TASK_ERROR');
    master.sendUpdate(framework, masterStatus(task.task_id.value, 'TASK_ERROR', reason, message, task.agent_id.value));
  };
  const admit = (request: Omit<LaunchRequest, 'frameworkId' | 'frameworkInfo' | 'role'>): void => {
    remaining = remaining.minus(request.resources);
    launchedIds.add(request.info.task_id.value);
    launches.push({ ...request, frameworkId: framework.id, frameworkInfo: framework.info, role });
  };

  for (const op of operations) {
    framework.counters.add('operations');
    if (op.type !== undefined) framework.counters.add(`operations/${op.type.toLowerCase()}`);
    if (op.type === 'LAUNCH') {
      for (const task of tasksOf([op])) {
        const error = op.id !== undefined ? 'Operation IDs are not supported for LAUNCH operations' : validateTask(task, ctx());
        if (error) fail(task, 'REASON_TASK_INVALID', error);
        else admit({ info: task, resources: taskResources(task) });
      }
    } else if (op.type === 'LAUNCH_GROUP') {
      const tasks = tasksOf([op]);
      const executor = op.launch_group!.executor as GroupExecutor;
      const error = op.id !== undefined ? 'Operation IDs are not supported for LAUNCH_GROUP operations' : validateTaskGroup(executor, tasks, ctx());
      if (error) {
        for (const task of tasks) fail(task, 'REASON_TASK_GROUP_INVALID', error);
        continue;
      }
      const group = { executorId: executor.executor_id.value, containerId: newUuid(), groupId: newUuid() };
      const executorResources = Resources.fromList(executor.resources);
      for (const [i, task] of tasks.entries()) {
        const own = Resources.fromList(task.resources);
        admit({ info: task, resources: i === 0 ? own.plus(executorResources) : own, group });
      }
    } else {
      master.config.log(`ACCEPT: operation ${String(op.type)} is not supported by the sim; ignored`);
    }
  }
  for (const launch of launches) agent.launch(launch);
  master.counters.add('sim/tasks_launched', launches.length);
  master.config.log(`ACCEPT on ${agent.id}: ${launches.length} task(s) launched from ${checked.offers.length} offer(s)`);
  // Whatever the operations did not use is implicitly declined with the ACCEPT's filters.
  master.offers.refuse(framework.id, role, agent.id, remaining, accept.filters, master.config.allocationIntervalMs);
}
