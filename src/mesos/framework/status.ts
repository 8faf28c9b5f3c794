/**
 * UPDATE events: acknowledge reliable ones (at once, or when the application says so),
 * report each new state once to the application, and adopt or kill tasks we do not know.
 */
import { TERMINAL_TASK_STATES, type TaskStatus } from '../types.js';
import { emit, log, send, type Ctx } from './context.js';
import { noteAnswered } from './reconcile.js';
import type { AckToken } from './types.js';

export function onUpdate(ctx: Ctx, status: TaskStatus): void {
  const taskId = status.task_id.value;
  noteAnswered(ctx, taskId);
  if (endedWhileUnreachable(status)) {
    // The agent's own update (with the exit status) follows; that one ends the task.
    log(ctx, 'debug', 'task ended while its agent was unreachable; waiting for the agent\'s update', { taskId, state: status.state });
    return;
  }
  const ack = ackTokenOf(ctx, status);
  const terminal = TERMINAL_TASK_STATES.has(status.state);
  const task = ctx.s.tasks.get(taskId);
  if (!task) {
    onUnknownTask(ctx, status, terminal, ack);
    return;
  }
  if (status.agent_id) task.agentId = status.agent_id.value;
  const healthy = status.healthy ?? null;
  // A task that ended stays ended: later copies (retries, reconciliation) change nothing.
  const news = !task.terminal && !(task.confirmed && task.state === status.state && task.healthy === healthy);
  if (!task.terminal) {
    task.confirmed = true;
    task.state = status.state;
    task.healthy = healthy;
    task.terminal = terminal;
    if (terminal) task.kill = null;
  }
  report(ctx, status, terminal, news, ack);
}

/**
 * Tell the application about news; acknowledge what it is not told of (or everything, on
 * receipt). A copy of an update the application has yet to acknowledge waits for it too.
 */
function report(ctx: Ctx, status: TaskStatus, terminal: boolean, news: boolean, ack: AckToken | null): void {
  const byApplication = ctx.s.config.acknowledge === 'by-application';
  if (ack && byApplication && (news || ctx.s.awaitingAck.has(ack.uuid))) ctx.s.awaitingAck.add(ack.uuid);
  else if (ack) acknowledge(ctx, ack);
  if (news) emit(ctx, { type: 'task-status', taskId: status.task_id.value, status, terminal, ack: byApplication ? ack : null });
}

export function acknowledge(ctx: Ctx, ack: AckToken): void {
  ctx.s.awaitingAck.delete(ack.uuid);
  send(ctx, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: ack.agentId }, task_id: { value: ack.taskId }, uuid: ack.uuid } });
}

/** The master's word, on re-registration, that a task ended: it has none of the details. */
const endedWhileUnreachable = (status: TaskStatus): boolean =>
  status.source === 'SOURCE_MASTER' && status.reason === 'REASON_AGENT_REREGISTERED' && TERMINAL_TASK_STATES.has(status.state);

/** Only agent/executor updates carry a uuid and need (and allow) an ACKNOWLEDGE. */
function ackTokenOf(ctx: Ctx, status: TaskStatus): AckToken | null {
  if (status.uuid === undefined) return null;
  const agentId = status.agent_id?.value ?? ctx.s.tasks.get(status.task_id.value)?.agentId ?? null;
  if (agentId === null) {
    log(ctx, 'warn', 'cannot acknowledge an update without agent id', { taskId: status.task_id.value });
    return null;
  }
  return { agentId, taskId: status.task_id.value, uuid: status.uuid };
}

function onUnknownTask(ctx: Ctx, status: TaskStatus, terminal: boolean, ack: AckToken | null): void {
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
    report(ctx, status, terminal, true, ack);
  } else {
    if (ack) acknowledge(ctx, ack);
    if (!terminal) {
      log(ctx, 'warn', 'killing a task that is not ours', { taskId, agentId });
      send(ctx, { type: 'KILL', kill: { task_id: status.task_id, ...(agentId !== null ? { agent_id: { value: agentId } } : {}) } });
    }
  }
}
