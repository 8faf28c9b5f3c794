/** The application's commands: launch (queued until packed), kill, forget, blacklist. */
import { frameworkInfo } from './state.js';
import { log, reactTo, send, view, type Ctx } from './context.js';
import { noteAnswered } from './reconcile.js';
import { dropRecheck } from './recheck.js';
import type { LaunchRequest, Millis, TrackedTask } from './types.js';

export function onLaunch(ctx: Ctx, request: LaunchRequest): void {
  const s = ctx.s;
  if (s.pending.has(request.taskId) || s.tasks.has(request.taskId)) {
    log(ctx, 'error', 'launch request with a task id already in use ignored', { taskId: request.taskId });
    return;
  }
  s.pending.set(request.taskId, request);
  s.demandChanged = true;
  if (request.resources.gpus > 0 && !s.gpuResources) declareGpus(ctx);
}

/**
 * GPU agents offer only to frameworks with GPU_RESOURCES. UPDATE_FRAMEWORK takes the whole
 * FrameworkInfo and replaces the suppressed roles, so it says what is suppressed now; the
 * next SUBSCRIBE declares it anyway.
 */
function declareGpus(ctx: Ctx): void {
  const s = ctx.s;
  s.gpuResources = true;
  log(ctx, 'info', 'a task asks for gpus: declaring GPU_RESOURCES');
  send(ctx, {
    type: 'UPDATE_FRAMEWORK',
    update_framework: { framework_info: frameworkInfo(s), ...(s.suppressed ? { suppressed_roles: [...s.config.roles] } : {}) },
  });
}

export function onKill(ctx: Ctx, taskId: string, gracePeriodMs: Millis | null): void {
  const s = ctx.s;
  const request = s.pending.get(taskId);
  if (request) {
    s.pending.delete(taskId);
    const status = { task_id: { value: taskId }, state: 'TASK_KILLED' as const, source: 'SOURCE_FRAMEWORK' as const, message: 'killed before launch' };
    reactTo(ctx, s.config.onTaskStatus?.(view(ctx), { taskId, status, terminal: true, started: false, agentId: null, ack: null }));
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
  dropRecheck(ctx, taskId);
}

/** Requests waiting for offers may now go elsewhere (settleSuppression revives for them). */
export function onBlacklist(ctx: Ctx, agents: readonly string[]): void {
  const next = new Set(agents);
  const s = ctx.s;
  if (next.size === s.blacklist.size && [...next].every((a) => s.blacklist.has(a))) return;
  s.blacklist = next;
  s.demandChanged = true;
  log(ctx, 'info', 'blacklist changed', { agents: [...next].sort() });
}
