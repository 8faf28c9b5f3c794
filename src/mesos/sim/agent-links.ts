/**
 * Agents losing and regaining the master: network partitions, and re-registration with a
 * restarted master (master.cpp `markUnreachable` and `__reregisterSlave`).
 */
import type { Agent } from './agent.js';
import { Framework } from './framework.js';
import type { MasterView } from './master-view.js';
import { isTerminal, masterStatus } from './sim-task.js';

/**
 * The agent fails its health checks: its offers are rescinded and each of its live tasks is
 * reported TASK_UNREACHABLE with unreachable_time (TASK_LOST to frameworks that are not
 * partition-aware), REASON_AGENT_REMOVED. The tasks keep running; their updates wait.
 */
export function partitionAgent(master: MasterView, agentId: string): void {
  const agent = master.agents.find((a) => a.id === agentId);
  if (!agent || agent.unreachableSince !== null) return;
  agent.unreachableSince = Date.now();
  for (const offer of [...master.offers.offers.values()]) {
    if (offer.agentId !== agent.id || !master.offers.take(offer.id)) continue;
    const framework = master.frameworks.get(offer.frameworkId);
    framework?.counters.add('offers/rescinded');
    framework?.send({ type: 'RESCIND', rescind: { offer_id: { value: offer.id } } });
  }
  for (const task of agent.tasks.values()) {
    const framework = master.frameworks.get(task.frameworkId);
    if (isTerminal(task.statusUpdateState) || !framework) continue;
    const aware = framework.partitionAware;
    const status = masterStatus(task.info.task_id.value, aware ? 'TASK_UNREACHABLE' : 'TASK_LOST', 'REASON_AGENT_REMOVED', `Agent ${agent.id} is unreachable`, agent.id);
    if (aware) status.unreachable_time = { nanoseconds: agent.unreachableSince * 1e6 };
    master.sendUpdate(framework, status);
  }
  master.config.log(`agent ${agent.id} is unreachable`);
}

/** The partition heals: the agent re-registers as an unreachable agent does. */
export function healAgent(master: MasterView, agentId: string): void {
  const agent = master.agents.find((a) => a.id === agentId);
  if (!agent || agent.unreachableSince === null) return;
  agent.unreachableSince = null;
  reregister(master, agent, 'Unreachable agent re-reregistered');
  master.config.log(`agent ${agent.id} re-registered after a partition`);
  master.scheduleAllocation();
}

/**
 * Every agent re-registers with a restarted master. One the master recovered from its registry
 * just comes back; one it never knew (in-memory registry) has each of its tasks reported.
 */
export function reregisterAgents(master: MasterView): void {
  for (const agent of master.agents) {
    const wasUnknown = agent.registration === 'unknown';
    agent.registration = 'registered';
    recoverFrameworks(master, agent);
    if (wasUnknown) reregister(master, agent, 'Unknown agent reregistered');
    else {
      for (const task of agent.tasks.values()) task.masterState = task.latestState;
      resendHeldUpdates(master, agent);
    }
    master.config.log(`agent ${agent.id} re-registered with master ${master.id}`);
  }
  master.scheduleAllocation();
}

/**
 * The master learns the agent's tasks as the agent has them and tells each connected framework
 * (an unsolicited update without uuid); then the agent re-sends the updates it held.
 */
function reregister(master: MasterView, agent: Agent, message: string): void {
  for (const task of agent.tasks.values()) {
    task.masterState = task.latestState;
    const framework = master.frameworks.get(task.frameworkId);
    if (!framework?.connected) continue;
    master.sendUpdate(framework, masterStatus(task.info.task_id.value, task.latestState, 'REASON_AGENT_REREGISTERED', message, agent.id));
  }
  resendHeldUpdates(master, agent);
}

function resendHeldUpdates(master: MasterView, agent: Agent): void {
  for (const framework of master.frameworks.values()) if (framework.connected) agent.resendPending(framework.id);
}

/** Frameworks the master does not know yet are rebuilt from what the agent kept, not subscribed. */
function recoverFrameworks(master: MasterView, agent: Agent): void {
  for (const task of agent.tasks.values()) {
    if (master.frameworks.has(task.frameworkId)) continue;
    const framework = new Framework(task.frameworkId, task.frameworkInfo);
    framework.recovered = true;
    master.frameworks.set(framework.id, framework);
  }
}
