/**
 * Pure builders for scheduler Call JSON (docs/mesos.md#json and #calls). Builders for calls made on a live
 * subscription leave `framework_id` out: SchedulerConnection.call stamps the subscribed one
 * with withFrameworkId, so a call can never carry a stale id. Pass ids as strings or {value}.
 */
import type { Call, Filters, FrameworkInfo, Id, OfferOperation, TaskInfo } from '../types.js';

export type IdLike = string | Id;

const toId = (id: IdLike): Id => (typeof id === 'string' ? { value: id } : { value: id.value });

/** Sets framework_id at the top level and, where the call carries one, in framework_info.id: the master rejects a mismatch with 400. */
export function withFrameworkId(call: Call, frameworkId: IdLike): Call {
  const id = toId(frameworkId);
  const out: Call = { ...call, framework_id: id };
  if (call.subscribe) out.subscribe = { ...call.subscribe, framework_info: { ...call.subscribe.framework_info, id } };
  if (call.update_framework) {
    out.update_framework = { ...call.update_framework, framework_info: { ...call.update_framework.framework_info, id } };
  }
  return out;
}

function withoutId(info: FrameworkInfo): FrameworkInfo {
  const copy = { ...info };
  delete copy.id;
  return copy;
}

const rolesOrNothing = (roles: readonly string[] | undefined): string[] | undefined =>
  roles && roles.length > 0 ? [...roles] : undefined;

export interface SubscribeOptions {
  /** The stored id when re-subscribing; wins over frameworkInfo.id. Omit for a brand-new framework. */
  frameworkId?: IdLike;
  /** Re-subscribing replaces the suppressed set, so send it every time (docs/mesos.md#resubscribe). */
  suppressedRoles?: readonly string[];
}

export function subscribe(frameworkInfo: FrameworkInfo, options: SubscribeOptions = {}): Call {
  const suppressed = rolesOrNothing(options.suppressedRoles);
  const call: Call = {
    type: 'SUBSCRIBE',
    subscribe: { framework_info: withoutId(frameworkInfo), ...(suppressed ? { suppressed_roles: suppressed } : {}) },
  };
  const id = options.frameworkId ?? frameworkInfo.id;
  return id === undefined ? call : withFrameworkId(call, id);
}

export function updateFramework(frameworkInfo: FrameworkInfo, options: { suppressedRoles?: readonly string[] } = {}): Call {
  const suppressed = rolesOrNothing(options.suppressedRoles);
  const call: Call = {
    type: 'UPDATE_FRAMEWORK',
    update_framework: { framework_info: withoutId(frameworkInfo), ...(suppressed ? { suppressed_roles: suppressed } : {}) },
  };
  return frameworkInfo.id === undefined ? call : withFrameworkId(call, frameworkInfo.id);
}

export function launch(tasks: TaskInfo[]): OfferOperation {
  return { type: 'LAUNCH', launch: { task_infos: tasks } };
}

export function accept(offerIds: readonly IdLike[], operations: OfferOperation[], filters?: Filters): Call {
  return { type: 'ACCEPT', accept: { offer_ids: offerIds.map(toId), operations, ...(filters ? { filters } : {}) } };
}

export function decline(offerIds: readonly IdLike[], filters?: Filters): Call {
  return { type: 'DECLINE', decline: { offer_ids: offerIds.map(toId), ...(filters ? { filters } : {}) } };
}

/** No roles means every subscribed role. */
export function revive(roles: readonly string[] = []): Call {
  const list = rolesOrNothing(roles);
  return { type: 'REVIVE', revive: list ? { roles: list } : {} };
}

/** No roles means every subscribed role. */
export function suppress(roles: readonly string[] = []): Call {
  const list = rolesOrNothing(roles);
  return { type: 'SUPPRESS', suppress: list ? { roles: list } : {} };
}

export function kill(taskId: IdLike, agentId?: IdLike, gracePeriodMs?: number): Call {
  return {
    type: 'KILL',
    kill: {
      task_id: toId(taskId),
      ...(agentId !== undefined ? { agent_id: toId(agentId) } : {}),
      ...(gracePeriodMs !== undefined ? { kill_policy: { grace_period: { nanoseconds: Math.round(gracePeriodMs * 1e6) } } } : {}),
    },
  };
}

/** `uuid` is the status's base64 uuid, passed through untouched. */
export function acknowledge(agentId: IdLike, taskId: IdLike, uuid: string): Call {
  return { type: 'ACKNOWLEDGE', acknowledge: { agent_id: toId(agentId), task_id: toId(taskId), uuid } };
}

/** An empty list asks for implicit reconciliation of every task the master knows. */
export function reconcile(tasks: readonly { taskId: IdLike; agentId?: IdLike }[]): Call {
  return {
    type: 'RECONCILE',
    reconcile: {
      tasks: tasks.map((t) => ({ task_id: toId(t.taskId), ...(t.agentId !== undefined ? { agent_id: toId(t.agentId) } : {}) })),
    },
  };
}

export function teardown(): Call {
  return { type: 'TEARDOWN' };
}

export function shutdown(executorId: IdLike, agentId: IdLike): Call {
  return { type: 'SHUTDOWN', shutdown: { executor_id: toId(executorId), agent_id: toId(agentId) } };
}

/** `data` is base64. */
export function message(agentId: IdLike, executorId: IdLike, data: string): Call {
  return { type: 'MESSAGE', message: { agent_id: toId(agentId), executor_id: toId(executorId), data } };
}
