/**
 * What a Mesos task status means for the run behind it. A task that never reached
 * STARTING never ran its command, so when Mesos loses or drops it the run may start
 * again; once it has started, losing it is a lost run. A task the master cannot see
 * (UNREACHABLE, or UNKNOWN after a master failover) may still be running.
 */
import type { Message, Millis } from '../../core/types.js';
import type { TaskNews } from '../../mesos/framework/index.js';

export type RunReport = Extract<Message, { type: 'run-placed' | 'run-started' | 'run-exited' | 'run-lost' | 'run-not-started' | 'launch-failed' | 'run-unreachable' }>;

export function reportFor(runId: string, news: Pick<TaskNews, 'status' | 'started' | 'agentId'>, now: Millis): RunReport | null {
  const { status, started } = news;
  const why = status.message ? `${status.state}: ${status.message}` : status.state;
  const agent = status.agent_id?.value ?? news.agentId ?? 'unknown';
  const taskId = status.task_id.value;
  switch (status.state) {
    case 'TASK_RUNNING':
      return { type: 'run-started', now, runId, agent, taskId };
    case 'TASK_FINISHED':
      return { type: 'run-exited', now, runId, exitCode: 0, signal: null, taskId };
    case 'TASK_FAILED': {
      const { exitCode, signal } = exitOf(status.message);
      // Not the command executor's words (a limit hit, an executor that failed): they are the reason.
      return { type: 'run-exited', now, runId, exitCode, signal, ...(exitCode === null && signal === null ? { reason: why } : {}), taskId };
    }
    case 'TASK_KILLED':
      return { type: 'run-exited', now, runId, exitCode: null, signal: status.message ? `Mesos (${status.message})` : 'Mesos (TASK_KILLED)', taskId };
    case 'TASK_ERROR':
      return { type: 'launch-failed', now, runId, reason: why };
    case 'TASK_DROPPED':
    case 'TASK_LOST':
      // Launching it again would fail the same way: the run fails with the agent's reason.
      if (!started && sandboxRefused(status)) return { type: 'launch-failed', now, runId, reason: why };
      return started ? { type: 'run-lost', now, runId, reason: why } : { type: 'run-not-started', now, runId };
    case 'TASK_GONE':
    case 'TASK_GONE_BY_OPERATOR':
      return started ? { type: 'run-lost', now, runId, reason: why } : { type: 'run-not-started', now, runId };
    case 'TASK_UNREACHABLE': {
      // A partition: the scheduler waits a while for the agent, from when the master lost it.
      const since = status.unreachable_time ? Math.round(status.unreachable_time.nanoseconds / 1e6) : now;
      return { type: 'run-unreachable', now, runId, agent, since, why: `agent ${agent} unreachable (${why})`, taskId };
    }
    case 'TASK_UNKNOWN':
      // Never on an agent: it never ran. Otherwise the master may just not know its agent yet
      // (a master failover; the agent re-registers later), so the task may still be running.
      if (!started && news.agentId === null) return { type: 'run-not-started', now, runId };
      return { type: 'run-unreachable', now, runId, agent, since: now, why: `the master does not know the task (${why}); its agent may not have re-registered yet`, taskId };
    default:
      // STAGING, STARTING, KILLING: not an outcome yet.
      return null;
  }
}

/**
 * The agent could not make the task's sandbox, most often because the task's user (CommandInfo.user,
 * else the framework's) does not exist on it: "Failed to create executor directory '…': Failed to
 * chown directory to 'x': No such user 'x'" (docs/mesos.md#task-user).
 */
function sandboxRefused(status: TaskNews['status']): boolean {
  return status.source === 'SOURCE_AGENT' && status.reason === 'REASON_EXECUTOR_TERMINATED' && (status.message ?? '').startsWith('Failed to create executor directory');
}

/**
 * "Command exited with status 3" / "Command terminated with signal Killed" (the command
 * executor's words). A missing binary with `shell: false` is "exited with status 1" (docs/mesos.md#exit-status).
 */
export function exitOf(message: string | undefined): { exitCode: number | null; signal: string | null } {
  const exited = /exited with status (\d+)/.exec(message ?? '');
  if (exited) return { exitCode: Number(exited[1]), signal: null };
  const signalled = /terminated with signal (.+)$/.exec(message ?? '');
  if (signalled) return { exitCode: null, signal: signalled[1]!.trim() };
  return { exitCode: null, signal: null };
}
