/**
 * UPDATE events: acknowledge reliable ones, report each new state once to the
 * application, and adopt or kill tasks we do not know.
 */
import { TERMINAL_TASK_STATES, type TaskStatus } from '../types.js';
import { emit, log, send, type Ctx } from './context.js';
import { noteAnswered } from './reconcile.js';

export function onUpdate(ctx: Ctx, status: TaskStatus): void {
  const taskId = status.task_id.value;
  acknowledge(ctx, status);
  noteAnswered(ctx, taskId);
  const terminal = TERMINAL_TASK_STATES.has(status.state);
  const task = ctx.s.tasks.get(taskId);
  if (!task) {
    onUnknownTask(ctx, status, terminal);
    return;
  }
  // A task that ended stays ended: later copies (retries, reconciliation) change nothing.
  if (task.terminal) return;
  if (status.agent_id) task.agentId = status.agent_id.value;
  const healthy = status.healthy ?? null;
  const duplicate = task.confirmed && task.state === status.state && task.healthy === healthy;
  task.confirmed = true;
  task.state = status.state;
  task.healthy = healthy;
  task.terminal = terminal;
  if (terminal) task.kill = null;
  if (!duplicate) emit(ctx, { type: 'task-status', taskId, status, terminal });
}

/** Only agent/executor updates carry a uuid and need (and allow) an ACKNOWLEDGE. */
function acknowledge(ctx: Ctx, status: TaskStatus): void {
  if (status.uuid === undefined) return;
  const agentId = status.agent_id?.value ?? ctx.s.tasks.get(status.task_id.value)?.agentId ?? null;
  if (agentId === null) {
    log(ctx, 'warn', 'cannot acknowledge an update without agent id', { taskId: status.task_id.value });
    return;
  }
  send(ctx, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: agentId }, task_id: status.task_id, uuid: status.uuid } });
}

function onUnknownTask(ctx: Ctx, status: TaskStatus, terminal: boolean): void {
  const taskId = status.task_id.value;
  const agentId = status.agent_id?.value ?? null;
  if (ctx.s.config.isOurs(taskId)) {
    ctx.s.tasks.set(taskId, {
      taskId,
      group: null,
      agentId,
      hostname: null,
      state: status.state,
      healthy: status.healthy ?? null,
      confirmed: true,
      terminal,
      kill: null,
    });
    log(ctx, 'info', 'adopted an unknown task', { taskId, state: status.state });
    emit(ctx, { type: 'task-status', taskId, status, terminal });
  } else if (!terminal) {
    log(ctx, 'warn', 'killing a task that is not ours', { taskId, agentId });
    send(ctx, { type: 'KILL', kill: { task_id: status.task_id, ...(agentId !== null ? { agent_id: { value: agentId } } : {}) } });
  }
}
