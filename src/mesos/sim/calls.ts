/** Non-SUBSCRIBE calls of a subscribed framework; semantic problems never change the 202. */
import type { Call } from '../types.js';
import { handleAccept } from './accept.js';
import type { Framework } from './framework.js';
import { frameworkRoles, validateFrameworkInfo } from './framework-info.js';
import type { Master } from './master.js';
import { stateMetric } from './counters.js';
import { reconcileExplicit, reconcileImplicit } from './reconciliation.js';
import { isTerminal } from './sim-task.js';

export interface CallResult {
  status: number;
  body?: string;
}

const ACCEPTED: CallResult = { status: 202 };
const DEFAULT_KILL_GRACE_MS = 3000;

/** REVIVE/SUPPRESS roles: empty means all; any role outside the framework's drops the call. */
function targetRoles(framework: Framework, roles: readonly string[] | undefined): string[] | undefined {
  if (!roles || roles.length === 0) return framework.roles;
  return roles.every((r) => framework.roles.includes(r)) ? [...roles] : undefined;
}

const graceMs = (policy: { grace_period?: { nanoseconds?: number } } | undefined): number =>
  policy?.grace_period?.nanoseconds !== undefined ? Number(policy.grace_period.nanoseconds) / 1e6 : DEFAULT_KILL_GRACE_MS;

function kill(master: Master, framework: Framework, call: NonNullable<Call['kill']>): void {
  const task = master.findTask(framework.id, call.task_id.value);
  if (!task) {
    for (const status of reconcileExplicit(master, framework, [call])) master.sendUpdate(framework, status);
    return;
  }
  if (call.agent_id && call.agent_id.value !== task.agentId) return;
  const agent = master.registeredAgent(task.agentId)!;
  agent.kill(task, graceMs(call.kill_policy ?? task.info.kill_policy), framework.info.capabilities?.some((c) => c.type === 'TASK_KILLING_STATE') ?? false);
}

function acknowledge(master: Master, framework: Framework, call: NonNullable<Call['acknowledge']>): void {
  const agent = master.registeredAgent(call.agent_id.value);
  const task = agent?.task(framework.id, call.task_id.value);
  if (!agent || !task) return master.counters.add('master/invalid_status_update_acknowledgements');
  master.counters.add('master/valid_status_update_acknowledgements');
  const acked = agent.acknowledge(framework.id, call.task_id.value, call.uuid);
  if (acked) master.counters.add(`sim/acknowledged/${stateMetric(acked.state)}`);
  if (acked && isTerminal(acked.state)) {
    task.terminalAcknowledged = true;
    framework.recordCompleted(task, task.latestState);
  }
}

function updateFramework(master: Master, framework: Framework, call: NonNullable<Call['update_framework']>): CallResult {
  const info = call.framework_info;
  const suppressed = call.suppressed_roles ?? [];
  const invalid = validateFrameworkInfo(info, suppressed);
  if (invalid) return { status: 400, body: invalid };
  if (info.user !== framework.info.user) return { status: 400, body: "Updating 'FrameworkInfo.user' is unsupported" };
  if ((info.checkpoint ?? false) !== (framework.info.checkpoint ?? false)) return { status: 400, body: "Updating 'FrameworkInfo.checkpoint' is unsupported" };
  if (framework.principalDiffers(info)) return { status: 400, body: "Changing framework's principal is not allowed" };
  const roles = frameworkRoles(info);
  master.dropOffersOfRemovedRoles(framework, roles);
  framework.info = { ...info, id: { value: framework.id } };
  framework.roles = roles;
  master.setSuppressedRoles(framework, suppressed);
  master.scheduleAllocation();
  return { status: 200 };
}

export function handleCall(master: Master, framework: Framework, call: Call & Record<string, unknown>): CallResult {
  const type = call.type as string;
  framework.counters.add('calls');
  framework.counters.add(`calls/${type.toLowerCase()}`);
  switch (type) {
    case 'TEARDOWN':
      master.removeFramework(framework);
      return ACCEPTED;
    case 'ACCEPT':
      handleAccept(master, framework, call.accept!);
      return ACCEPTED;
    case 'DECLINE':
      for (const { value } of call.decline!.offer_ids ?? []) {
        const offer = master.offers.get(value);
        if (offer?.frameworkId !== framework.id) continue;
        master.offers.take(value);
        framework.counters.add('offers/declined');
        master.offers.refuse(framework.id, offer.role, offer.agentId, offer.resources, call.decline!.filters, master.config.allocationIntervalMs);
      }
      return ACCEPTED;
    case 'REVIVE': {
      const roles = targetRoles(framework, call.revive?.roles);
      if (!roles) return ACCEPTED;
      for (const role of roles) framework.suppressed.delete(role);
      master.offers.clearFilters(framework.id, roles);
      master.scheduleAllocation();
      return ACCEPTED;
    }
    case 'SUPPRESS': {
      const roles = targetRoles(framework, call.suppress?.roles);
      for (const role of roles ?? []) framework.suppressed.add(role);
      return ACCEPTED;
    }
    case 'KILL':
      kill(master, framework, call.kill!);
      return ACCEPTED;
    case 'SHUTDOWN': {
      // The command executor's id is its task's id; shutting it down kills the task.
      const agent = master.registeredAgent(call.shutdown!.agent_id.value);
      for (const task of agent?.tasks.values() ?? []) {
        if (task.frameworkId === framework.id && task.executorId === call.shutdown!.executor_id.value) agent!.kill(task, DEFAULT_KILL_GRACE_MS, false);
      }
      return ACCEPTED;
    }
    case 'ACKNOWLEDGE':
      acknowledge(master, framework, call.acknowledge!);
      return ACCEPTED;
    case 'RECONCILE': {
      const tasks = call.reconcile!.tasks ?? [];
      const answers = tasks.length === 0 ? reconcileImplicit(master, framework) : reconcileExplicit(master, framework, tasks);
      for (const status of answers) master.sendUpdate(framework, status);
      return ACCEPTED;
    }
    case 'UPDATE_FRAMEWORK':
      return updateFramework(master, framework, call.update_framework!);
    default:
      // MESSAGE (the command executor ignores framework messages), REQUEST, inverse offers, operation
      // acks, RECONCILE_OPERATIONS (the sim has no operations with ids, so nothing to report).
      return ACCEPTED;
  }
}
