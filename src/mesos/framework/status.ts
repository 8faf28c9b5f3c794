/**
 * UPDATE events: acknowledge reliable ones (at once, or when the application says so),
 * tell the application each new state once, adopt or kill tasks we do not know, and
 * forget a task once it has ended and nothing about it awaits an acknowledgement.
 */
import { TERMINAL_TASK_STATES, type TaskState, type TaskStatus } from '../types.js';
import { log, reactTo, send, view, type Ctx } from './context.js';
import { noteAnswered } from './reconcile.js';
import { noteTaskState } from './recheck.js';
import { onForget, sendKill } from './tasks.js';
import type { AckToken, TaskNews, TrackedTask } from './types.js';

/** States after which its command may have run. */
const MAY_HAVE_RUN: ReadonlySet<TaskState> = new Set(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE']);
/** States in which the master cannot reach or does not know the task: it may come back. */
const OUT_OF_SIGHT: ReadonlySet<TaskState> = new Set(['TASK_UNREACHABLE', 'TASK_UNKNOWN']);

export function onUpdate(ctx: Ctx, status: TaskStatus): void {
  const taskId = status.task_id.value;
  noteAnswered(ctx, taskId);
  if (endedWhileUnreachable(status)) {
    // The agent's own update (with the exit status) follows; that one ends the task.
    log(ctx, 'debug', "task ended while its agent was unreachable; waiting for the agent's update", { taskId, state: status.state });
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
    const reappeared = OUT_OF_SIGHT.has(task.state) && !OUT_OF_SIGHT.has(status.state) && !terminal;
    task.confirmed = true;
    task.state = status.state;
    task.healthy = healthy;
    task.terminal = terminal;
    if (MAY_HAVE_RUN.has(status.state)) task.started = true;
    if (terminal) task.kill = null;
    noteTaskState(ctx, task);
    // A KILL sent while the master did not know the task was answered TASK_UNKNOWN and dropped.
    if (reappeared && task.kill) {
      log(ctx, 'info', 'a task being killed is back in sight; killing it again', { taskId, state: status.state });
      sendKill(ctx, task);
    }
  }
  tell(ctx, task, status, news, ack);
}

/**
 * Acknowledge what the application is not told of (or everything, on receipt); a copy of
 * an update the application has yet to acknowledge waits for it too. Then the news, then
 * forget the task if it has ended and nothing of it awaits an acknowledgement.
 */
function tell(ctx: Ctx, task: TrackedTask, status: TaskStatus, news: boolean, ack: AckToken | null): void {
  const s = ctx.s;
  const byApplication = s.config.acknowledge === 'by-application' && s.config.onTaskStatus !== undefined;
  const waits = ack !== null && byApplication && (news || s.awaitingAck.has(ack.uuid));
  if (waits) s.awaitingAck.set(ack.uuid, task.taskId);
  else if (ack) acknowledge(ctx, ack);
  if (news) {
    const taskNews: TaskNews = { taskId: task.taskId, status, terminal: task.terminal, started: task.started, agentId: task.agentId, ack: waits ? ack : null };
    reactTo(ctx, s.config.onTaskStatus?.(view(ctx), taskNews));
  }
  releaseIfEnded(ctx, task.taskId);
}

/** The application's (or the framework's own) ACKNOWLEDGE of one update. */
export function acknowledge(ctx: Ctx, ack: AckToken): void {
  ctx.s.awaitingAck.delete(ack.uuid);
  send(ctx, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: ack.agentId }, task_id: { value: ack.taskId }, uuid: ack.uuid } });
}

export function onAcknowledge(ctx: Ctx, ack: AckToken): void {
  acknowledge(ctx, ack);
  releaseIfEnded(ctx, ack.taskId);
}

/** Once the master has its terminal update acknowledged it forgets the task; so do we. */
function releaseIfEnded(ctx: Ctx, taskId: string): void {
  const task = ctx.s.tasks.get(taskId);
  if (!task?.terminal) return;
  for (const awaited of ctx.s.awaitingAck.values()) if (awaited === taskId) return;
  onForget(ctx, taskId);
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
    const task: TrackedTask = {
      taskId,
      group: null,
      agentId,
      hostname: null,
      state: status.state,
      healthy: status.healthy ?? null,
      confirmed: true,
      started: MAY_HAVE_RUN.has(status.state),
      terminal,
      kill: null,
    };
    ctx.s.tasks.set(taskId, task);
    noteTaskState(ctx, task);
    log(ctx, 'info', 'adopted an unknown task', { taskId, state: status.state });
    tell(ctx, task, status, true, ack);
  } else {
    if (ack) acknowledge(ctx, ack);
    if (!terminal) {
      log(ctx, 'warn', 'killing a task that is not ours', { taskId, agentId });
      send(ctx, { type: 'KILL', kill: { task_id: status.task_id, ...(agentId !== null ? { agent_id: { value: agentId } } : {}) } });
    }
  }
}
