/** The application's requests: launch (queued until packed), kill, forget. */
import { emit, log, send, type Ctx } from './context.js';
import { noteAnswered } from './reconcile.js';
import type { LaunchRequest, Millis, TrackedTask } from './types.js';

export function onLaunch(ctx: Ctx, request: LaunchRequest): void {
  const s = ctx.s;
  if (s.pending.has(request.taskId) || s.tasks.has(request.taskId)) {
    log(ctx, 'error', 'launch request with a task id already in use ignored', { taskId: request.taskId });
    return;
  }
  s.pending.set(request.taskId, request);
  s.newDemand = true;
}

export function onKill(ctx: Ctx, taskId: string, gracePeriodMs: Millis | null): void {
  const s = ctx.s;
  const request = s.pending.get(taskId);
  if (request) {
    s.pending.delete(taskId);
    emit(ctx, {
      type: 'task-status',
      taskId,
      status: { task_id: { value: taskId }, state: 'TASK_KILLED', source: 'SOURCE_FRAMEWORK', message: 'killed before launch' },
      terminal: true,
      ack: null,
    });
    return;
  }
  const task = s.tasks.get(taskId);
  if (!task || task.terminal) {
    log(ctx, 'warn', 'kill of a task that is not running ignored', { taskId });
    return;
  }
  task.kill = { gracePeriodMs };
  sendKill(ctx, task);
}

/** KILL with the agent (when known) and the grace period; re-sent after each subscription. */
export function sendKill(ctx: Ctx, task: TrackedTask): void {
  const grace = task.kill?.gracePeriodMs ?? null;
  send(ctx, {
    type: 'KILL',
    kill: {
      task_id: { value: task.taskId },
      ...(task.agentId !== null ? { agent_id: { value: task.agentId } } : {}),
      ...(grace !== null ? { kill_policy: { grace_period: { nanoseconds: Math.round(grace * 1e6) } } } : {}),
    },
  });
}

export function onForget(ctx: Ctx, taskId: string): void {
  ctx.s.pending.delete(taskId);
  ctx.s.tasks.delete(taskId);
  noteAnswered(ctx, taskId);
}
