/**
 * GET /metrics/snapshot: what the sim counts, under the real master's metric names (a subset:
 * task states, acknowledgements, offers, and the per-framework calls, events, offers,
 * operations and task states), plus `sim/…` counters a real master does not have.
 * Counters start at 0 with each master (a restart resets them), as a real master's do.
 */
import type { TaskState } from '../types.js';
import { masterStateMetric, stateMetric } from './counters.js';
import type { Framework } from './framework.js';
import type { Master } from './master.js';
import { isTerminal } from './sim-task.js';

const ACTIVE_STATES: readonly TaskState[] = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING'];

const frameworkPrefix = (framework: Framework): string => `master/frameworks/${encodeURIComponent(framework.info.name)}/${framework.id}/`;

export function metricsSnapshot(master: Master): Record<string, number> {
  const out: Record<string, number> = {
    'master/uptime_secs': Date.now() / 1000 - master.startTime,
    'master/elected': 1,
    'master/slaves_active': master.agents.filter((a) => a.reachable).length,
    'master/frameworks_connected': [...master.frameworks.values()].filter((f) => f.connected).length,
    'master/outstanding_offers': master.offers.offers.size,
  };
  for (const state of ACTIVE_STATES) out[`master/${masterStateMetric(state)}`] = 0;
  out['master/tasks_unreachable'] = 0;
  const active = new Map<string, Map<TaskState, number>>();
  for (const agent of master.agents) {
    for (const task of agent.tasks.values()) {
      if (agent.registration !== 'registered') continue;
      const state: TaskState = agent.unreachableSince !== null ? 'TASK_UNREACHABLE' : task.masterState;
      if (isTerminal(state)) continue;
      const name = `master/${masterStateMetric(state)}`;
      out[name] = (out[name] ?? 0) + 1;
      const perFramework = active.get(task.frameworkId) ?? new Map<TaskState, number>();
      perFramework.set(state, (perFramework.get(state) ?? 0) + 1);
      active.set(task.frameworkId, perFramework);
    }
  }
  for (const [name, value] of master.counters.entries()) out[name] = value;
  for (const framework of master.frameworks.values()) {
    const prefix = frameworkPrefix(framework);
    out[`${prefix}subscribed`] = framework.connected ? 1 : 0;
    for (const state of [...ACTIVE_STATES, 'TASK_UNREACHABLE' as const]) out[`${prefix}tasks/active/${stateMetric(state)}`] = active.get(framework.id)?.get(state) ?? 0;
    for (const [name, value] of framework.counters.entries()) out[prefix + name] = value;
  }
  return out;
}
