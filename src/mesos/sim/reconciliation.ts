/** Master::reconcile: what the master answers for implicit and explicit reconciliation. */
import type { TaskStatus } from '../types.js';
import type { Agent } from './agent.js';
import type { Framework } from './framework.js';
import { masterStatus, type SimTask } from './sim-task.js';

export interface ReconcileView {
  agents: readonly Agent[];
  activeTasks(frameworkId: string): SimTask[];
  findTask(frameworkId: string, taskId: string): SimTask | undefined;
}

const REASON = 'REASON_RECONCILIATION';

function latest(task: SimTask): TaskStatus {
  const state = task.statusUpdateState ?? task.masterState;
  return masterStatus(task.info.task_id.value, state, REASON, 'Reconciliation: Latest task state', task.agentId);
}

export function reconcileImplicit(view: ReconcileView, framework: Framework): TaskStatus[] {
  return view.activeTasks(framework.id).map(latest);
}

/**
 * Unknown tasks on agents the master recovered from its registry but that have not re-registered
 * yet get no answer at all; agents the master does not know (in-memory registry) are unknown agents.
 */
export function reconcileExplicit(view: ReconcileView, framework: Framework, tasks: readonly { task_id: { value: string }; agent_id?: { value: string } }[]): TaskStatus[] {
  const answers: TaskStatus[] = [];
  const recovering = view.agents.filter((a) => a.registration === 'recovered');
  for (const { task_id, agent_id } of tasks) {
    const task = view.findTask(framework.id, task_id.value);
    if (task) {
      answers.push(latest(task));
      continue;
    }
    const agentId = agent_id?.value;
    if (agentId !== undefined && recovering.some((a) => a.id === agentId)) continue;
    if (agentId === undefined && recovering.length > 0) continue;
    const partitioned = view.agents.find((a) => a.id === agentId && a.registration === 'registered' && a.unreachableSince !== null);
    if (partitioned) {
      const status = masterStatus(task_id.value, framework.partitionAware ? 'TASK_UNREACHABLE' : 'TASK_LOST', REASON, 'Reconciliation: Task is unreachable', agentId);
      if (framework.partitionAware) status.unreachable_time = { nanoseconds: partitioned.unreachableSince! * 1e6 };
      answers.push(status);
      continue;
    }
    if (agentId !== undefined && view.agents.some((a) => a.id === agentId && a.reachable)) {
      answers.push(masterStatus(task_id.value, framework.partitionAware ? 'TASK_GONE' : 'TASK_LOST', REASON, 'Reconciliation: Task is unknown to the agent', agentId));
      continue;
    }
    answers.push(masterStatus(task_id.value, framework.partitionAware ? 'TASK_UNKNOWN' : 'TASK_LOST', REASON, 'Reconciliation: Task is unknown', agentId));
  }
  return answers;
}
