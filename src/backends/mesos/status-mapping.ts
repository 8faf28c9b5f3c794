/**
 * What a Mesos task status means for the run behind it. A task that never reached
 * STARTING never ran its command, so when Mesos loses or drops it the run may start
 * again; once it has started, losing it is a lost run.
 */
import type { Message, Millis } from '../../core/types.js';
import type { AppTaskStatus } from '../../mesos/framework/index.js';

export type RunReport =
  | Extract<Message, { type: 'run-started' | 'run-exited' | 'run-lost' | 'run-not-started' | 'launch-failed' | 'run-unreachable' }>
  | null;

export function reportFor(runId: string, status: AppTaskStatus, started: boolean, now: Millis): RunReport {
  const why = status.message ? `${status.state}: ${status.message}` : status.state;
  const agent = status.agent_id?.value ?? 'unknown';
  switch (status.state) {
    case 'TASK_RUNNING':
      return { type: 'run-started', now, runId, agent, taskId: status.task_id.value };
    case 'TASK_FINISHED':
      return { type: 'run-exited', now, runId, exitCode: 0, signal: null };
    case 'TASK_FAILED': {
      const { exitCode, signal } = exitOf(status.message);
      return { type: 'run-exited', now, runId, exitCode, signal };
    }
    case 'TASK_KILLED':
      return { type: 'run-exited', now, runId, exitCode: null, signal: status.message ? `Mesos (${status.message})` : 'Mesos (TASK_KILLED)' };
    case 'TASK_ERROR':
      return { type: 'launch-failed', now, runId, reason: why };
    case 'TASK_DROPPED':
    case 'TASK_LOST':
    case 'TASK_GONE':
    case 'TASK_GONE_BY_OPERATOR':
      return started ? { type: 'run-lost', now, runId, reason: why } : { type: 'run-not-started', now, runId };
    case 'TASK_UNREACHABLE': {
      // A partition: the task may be running still. The scheduler waits a while for it.
      const since = status.unreachable_time ? Math.round(status.unreachable_time.nanoseconds / 1e6) : now;
      return { type: 'run-unreachable', now, runId, agent, since };
    }
    case 'TASK_UNKNOWN':
      // The master has no record of it: never launched (start it), or gone with its agent.
      return started ? { type: 'run-lost', now, runId, reason: why } : { type: 'run-not-started', now, runId };
    default:
      // STAGING, STARTING, KILLING: not an outcome yet.
      return null;
  }
}

/** "Command exited with status 3" / "Command terminated with signal Killed" (the command executor's words). */
export function exitOf(message: string | undefined): { exitCode: number | null; signal: string | null } {
  const exited = /exited with status (\d+)/.exec(message ?? '');
  if (exited) return { exitCode: Number(exited[1]), signal: null };
  const signalled = /terminated with signal (.+)$/.exec(message ?? '');
  if (signalled) return { exitCode: null, signal: signalled[1]!.trim() };
  return { exitCode: 1, signal: null };
}
