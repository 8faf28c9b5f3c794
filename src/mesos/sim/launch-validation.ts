/** The master's per-task checks for LAUNCH and LAUNCH_GROUP, in its order. */
import type { TaskInfo } from '../types.js';
import { Resources } from './resources.js';

export interface LaunchContext {
  agentId: string;
  role: string;
  /** Offered resources not yet consumed by earlier tasks of this ACCEPT. */
  remaining: Resources;
  /** True when the id is live in the framework or launched earlier in this ACCEPT. */
  isDuplicate: (taskId: string) => boolean;
}

function validateTaskId(id: string): string | undefined {
  if (id === '') return 'ID must not be empty';
  if (id === '.' || id === '..') return "'.' and '..' are disallowed";
  if (id.length > 255) return 'ID must not be longer than 255';
  if (/[/\\\s\x00-\x1f\x7f]/.test(id)) return `'${id}' contains invalid characters`;
  return undefined;
}

/** Resources a task needs, including a custom executor's. */
export function taskResources(task: TaskInfo): Resources {
  const executor = task.executor as { resources?: TaskInfo['resources'] } | undefined;
  return Resources.fromList(task.resources).plus(Resources.fromList(executor?.resources));
}

export function validateTask(task: TaskInfo, ctx: LaunchContext, extra = new Resources()): string | undefined {
  const idError = validateTaskId(task.task_id.value);
  if (idError) return `Task ID '${task.task_id.value}' is invalid: ${idError}`;
  if (ctx.isDuplicate(task.task_id.value)) return `Task has duplicate ID: ${task.task_id.value}`;
  if (task.agent_id.value !== ctx.agentId) return `Task uses invalid agent ${task.agent_id.value} while agent ${ctx.agentId} is expected`;
  if ((task.resources ?? []).length === 0) return 'Task uses no resources';
  if ((task.command === undefined) === (task.executor === undefined)) {
    return 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present';
  }
  const needed = taskResources(task).plus(extra);
  if (!ctx.remaining.contains(needed)) {
    return `Total resources ${needed.describe(ctx.role)} required by task and its executor is more than available ${ctx.remaining.describe(ctx.role)}`;
  }
  return undefined;
}

interface GroupExecutor {
  executor_id: { value: string };
  type?: string;
  command?: unknown;
  resources?: TaskInfo['resources'];
}

/** A task group is valid only as a whole; the first failure is returned. */
export function validateTaskGroup(executor: GroupExecutor, tasks: readonly TaskInfo[], ctx: LaunchContext): string | undefined {
  if (tasks.length === 0) return 'Task group must contain at least one task';
  if (executor.command !== undefined) return "'ExecutorInfo.command' must not be set for 'DEFAULT' executor";
  const ids = new Set<string>();
  let remaining = ctx.remaining;
  const executorResources = Resources.fromList(executor.resources);
  for (const [i, task] of tasks.entries()) {
    if (task.executor !== undefined) return `Task '${task.task_id.value}' should not have 'ExecutorInfo' set`;
    if (task.container?.type === 'DOCKER') return 'Docker ContainerInfo is not supported on the task';
    if (ids.has(task.task_id.value)) return `Task has duplicate ID: ${task.task_id.value}`;
    ids.add(task.task_id.value);
    const error = validateTask(task, { ...ctx, remaining }, i === 0 ? executorResources : new Resources());
    if (error) return error;
    remaining = remaining.minus(taskResources(task).plus(i === 0 ? executorResources : new Resources()));
  }
  return undefined;
}
