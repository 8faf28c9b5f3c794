/**
 * The Mesos backend's decisions, as the framework's hooks (pure): each new task state
 * becomes a run report for the scheduler, acknowledged once the scheduler has stored it; a
 * task's agent is reported when it is placed;
 * a subscription or an agent first offered refreshes the agent list.
 */
import { acknowledge, effect, forget, type AckToken, type FrameworkHooks, type Reaction, type TaskNews } from '../../mesos/framework/index.js';
import type { Offer } from '../../mesos/types.js';
import type { Millis } from '../../core/types.js';
import { reportFor, type RunReport } from './status-mapping.js';
import { runIdOf } from './task-ids.js';

export type BackendEffect =
  /** Post to the scheduler durably; then acknowledge the update (when `ack`). */
  | { type: 'report'; report: RunReport; ack: AckToken | null }
  | { type: 'agent-offered'; offer: Offer }
  | { type: 'refresh-agents' };

export function reactToTaskStatus(news: TaskNews, now: Millis): Reaction<BackendEffect>[] {
  const runId = runIdOf(news.taskId);
  const report = runId === null ? null : reportFor(runId, news, now);
  if (report === null) return news.ack ? [acknowledge(news.ack)] : [];
  // A task the master never heard of is over; its run may start again under the same task id.
  const over = report.type === 'run-not-started' && !news.terminal;
  return [effect({ type: 'report', report, ack: news.ack }), ...(over ? [forget(news.taskId)] : [])];
}

export const backendHooks: FrameworkHooks<never, BackendEffect> = {
  onTaskStatus: (view, news) => reactToTaskStatus(news, view.now),
  // Stored with the run: after a failover, TASK_UNKNOWN for a placed task means "maybe running".
  onTaskLaunched: (view, { taskId, agentId }) => {
    const runId = runIdOf(taskId);
    return runId === null ? [] : [effect({ type: 'report', report: { type: 'run-placed', now: view.now, runId, agent: agentId, taskId }, ack: null })];
  },
  onSubscribed: () => [effect({ type: 'refresh-agents' })],
  onAgentSeen: (_view, offer) => [effect({ type: 'agent-offered', offer })],
};
