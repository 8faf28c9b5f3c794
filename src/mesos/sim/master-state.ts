/** GET /master/state in the real master's shape (the fields moroccron and operators look at). */
import type { TaskState, TaskStatus } from '../types.js';
import type { Agent } from './agent.js';
import type { Framework } from './framework.js';
import type { Master } from './master.js';
import { Resources } from './resources.js';
import { isTerminal, type SimTask } from './sim-task.js';

function statusJson(status: TaskStatus): unknown {
  const s = status as TaskStatus & { container_status?: unknown };
  return { state: s.state, timestamp: s.timestamp, ...(s.container_status ? { container_status: s.container_status } : {}) };
}

function taskJson(task: SimTask, state: TaskState): unknown {
  return {
    id: task.info.task_id.value,
    name: task.info.name,
    framework_id: task.frameworkId,
    executor_id: '',
    slave_id: task.agentId,
    agent_id: task.agentId,
    state,
    resources: task.resources.toStateJson(),
    role: task.role,
    statuses: task.statuses.map(statusJson),
    ...(task.container ? { container: task.container } : {}),
  };
}

function frameworkJson(master: Master, framework: Framework, removed: boolean): unknown {
  const info = framework.info;
  const tasks = removed ? [] : master.activeTasks(framework.id);
  const offers = master.offers.ofFramework(framework.id);
  const used = tasks.filter((t) => !isTerminal(t.masterState)).reduce((sum, t) => sum.plus(t.resources), new Resources());
  const offered = offers.reduce((sum, o) => sum.plus(o.resources), new Resources());
  return {
    id: framework.id,
    name: info.name,
    user: info.user,
    hostname: info.hostname ?? '',
    webui_url: info.webui_url ?? '',
    principal: info.principal,
    failover_timeout: info.failover_timeout ?? 0,
    checkpoint: info.checkpoint ?? false,
    capabilities: (info.capabilities ?? []).map((c) => c.type),
    ...(framework.multiRole ? { roles: framework.roles } : { role: framework.roles[0] }),
    active: framework.connected,
    connected: framework.connected,
    recovered: framework.recovered,
    registered_time: framework.registeredTime,
    ...(framework.reregisteredTime !== undefined ? { reregistered_time: framework.reregisteredTime } : {}),
    unregistered_time: framework.connected ? 0 : (framework.unregisteredTime ?? 0),
    suppressed_roles: [...framework.suppressed],
    resources: used.plus(offered).toStateJson(),
    used_resources: used.toStateJson(),
    offered_resources: offered.toStateJson(),
    tasks: tasks.map((t) => taskJson(t, t.masterState)),
    unreachable_tasks: removed ? [] : master.unreachableTasks(framework.id).map((t) => taskJson(t, 'TASK_UNREACHABLE')),
    completed_tasks: framework.completedTasks.map((c) => taskJson(c.task, c.state)),
    offers: offers.map((o) => ({ id: o.id, framework_id: o.frameworkId, slave_id: o.agentId, resources: o.resources.toStateJson() })),
    executors: [],
  };
}

function agentJson(master: Master, agent: Agent): unknown {
  const offered = master.offers.offeredOn(agent.id).reduce((sum, r) => sum.plus(r), new Resources());
  return {
    id: agent.id,
    pid: `slave(1)@${agent.hostname}:${agent.port}`,
    hostname: agent.hostname,
    port: agent.port,
    registered_time: agent.registeredTime,
    resources: agent.total.toStateJson(),
    used_resources: agent.used().toStateJson(),
    offered_resources: offered.toStateJson(),
    reserved_resources: {},
    unreserved_resources: agent.total.toStateJson(),
    attributes: agent.attributes,
    active: agent.reachable,
    deactivated: false,
    version: '1.12.0',
    capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'],
  };
}

export function masterState(master: Master): unknown {
  const info = master.masterInfo;
  const reachable = master.agents.filter((a) => a.reachable);
  return {
    version: info.version,
    build_date: '2024-08-23 00:00:00',
    build_time: 1724371200,
    build_user: 'mesos-sim',
    start_time: master.startTime,
    elected_time: master.electedTime,
    id: master.id,
    pid: info.pid,
    hostname: info.hostname,
    capabilities: info.capabilities.map((c) => c.type),
    activated_slaves: reachable.length,
    deactivated_slaves: 0,
    unreachable_slaves: 0,
    cluster: 'mesos-sim',
    leader: info.pid,
    leader_info: info,
    flags: { allocation_interval: `${master.config.allocationIntervalMs}ms`, ...(master.config.offerTimeoutMs !== undefined ? { offer_timeout: `${master.config.offerTimeoutMs}ms` } : {}) },
    slaves: reachable.map((a) => agentJson(master, a)),
    recovered_slaves: master.agents.filter((a) => a.registration === 'recovered').map((a) => ({ id: a.id, hostname: a.hostname })),
    frameworks: [...master.frameworks.values()].map((f) => frameworkJson(master, f, false)),
    completed_frameworks: [...master.removedFrameworks.values()].map((f) => frameworkJson(master, f, true)),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}
