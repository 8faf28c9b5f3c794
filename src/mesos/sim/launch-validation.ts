/** The master's checks for LAUNCH (task by task) and LAUNCH_GROUP (the group as a whole), in its order. */
import type { TaskInfo } from '../types.js';
import { containerInfoError } from './container-validation.js';
import { Resources } from './resources.js';

export interface LaunchContext {
  agentId: string;
  role: string;
  /** Offered resources not yet consumed by earlier tasks of this ACCEPT. */
  remaining: Resources;
  /** True when the id is live in the framework or launched earlier in this ACCEPT. */
  isDuplicate: (taskId: string) => boolean;
}

export interface GroupExecutor {
  executor_id: { value: string };
  type?: string;
  command?: unknown;
  resources?: TaskInfo['resources'];
}

/** The master's minimum executor resources (master/constants.hpp MIN_CPUS, MIN_MEM in MB). */
const MIN_CPUS = 0.01;
const MIN_MEM_MB = 32;

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

/** What every task must pass, alone or in a group (task::internal::validateTask). */
function validateTaskBasics(task: TaskInfo, ctx: LaunchContext): string | undefined {
  const idError = validateTaskId(task.task_id.value);
  if (idError) return `Task ID '${task.task_id.value}' is invalid: ${idError}`;
  if (ctx.isDuplicate(task.task_id.value)) return `Task has duplicate ID: ${task.task_id.value}`;
  if (task.agent_id.value !== ctx.agentId) return `Task uses invalid agent ${task.agent_id.value} while agent ${ctx.agentId} is expected`;
  if ((task.resources ?? []).length === 0) return 'Task uses no resources';
  const containerError = task.container ? containerInfoError(task.container) : undefined;
  if (containerError) return `Task's \`ContainerInfo\` is invalid: ${containerError}`;
  return undefined;
}

/** LAUNCH: one task with the command executor or its own, against what is left of the offers. */
export function validateTask(task: TaskInfo, ctx: LaunchContext): string | undefined {
  const basic = validateTaskBasics(task, ctx);
  if (basic) return basic;
  if ((task.command === undefined) === (task.executor === undefined)) {
    return 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present';
  }
  const needed = taskResources(task);
  if (!ctx.remaining.contains(needed)) {
    return `Total resources ${needed.describe(ctx.role)} required by task and its executor is more than available ${ctx.remaining.describe(ctx.role)}`;
  }
  return undefined;
}

function validateGroupTask(task: TaskInfo, ctx: LaunchContext, seen: ReadonlySet<string>): string | undefined {
  if (seen.has(task.task_id.value)) return `Task has duplicate ID: ${task.task_id.value}`;
  const basic = validateTaskBasics(task, ctx);
  if (basic) return basic;
  if (task.container?.type === 'DOCKER') return 'Docker ContainerInfo is not supported on the task';
  return undefined;
}

/** task::group::internal::validateExecutor: the executor, then the group's total resources. */
function validateGroupExecutor(executor: GroupExecutor, tasks: readonly TaskInfo[], ctx: LaunchContext): string | undefined {
  const id = executor.executor_id.value;
  if (executor.command !== undefined) return "'ExecutorInfo.command' must not be set for 'DEFAULT' executor";
  if (executor.type === undefined) return "'ExecutorInfo.type' must be set";
  if (executor.type === 'UNKNOWN') return 'Unknown executor type';
  for (const task of tasks) {
    if (task.executor !== undefined && JSON.stringify(task.executor) !== JSON.stringify(executor)) {
      return `The \`ExecutorInfo\` of task '${task.task_id.value}' is different from executor '${id}'`;
    }
  }
  const own = Resources.fromList(executor.resources);
  const has = (name: string): boolean => (executor.resources ?? []).some((r) => r.name === name && r.type === 'SCALAR');
  if (!has('cpus') || own.scalar('cpus') < MIN_CPUS) {
    return `Executor '${id}' uses less CPUs (${has('cpus') ? own.scalar('cpus') : 'None'}) than the minimum required (${MIN_CPUS})`;
  }
  if (!has('mem') || own.scalar('mem') < MIN_MEM_MB) {
    return `Executor '${id}' uses less memory (${has('mem') ? `${own.scalar('mem')}MB` : 'None'}) than the minimum required (${MIN_MEM_MB}MB)`;
  }
  if (!has('disk')) return `Executor '${id}' uses no disk`;
  const total = tasks.reduce((sum, t) => sum.plus(Resources.fromList(t.resources)), own);
  if (!ctx.remaining.contains(total)) {
    return `Total resources ${total.describe(ctx.role)} required by task group and its executor are more than available ${ctx.remaining.describe(ctx.role)}`;
  }
  return undefined;
}

/** LAUNCH_GROUP is valid only as a whole; the first failure is returned (and fails every task). */
export function validateTaskGroup(executor: GroupExecutor, tasks: readonly TaskInfo[], ctx: LaunchContext): string | undefined {
  if (tasks.length === 0) return 'Task group must contain at least one task';
  const seen = new Set<string>();
  for (const task of tasks) {
    const error = validateGroupTask(task, ctx, seen);
    if (error) return `Task '${task.task_id.value}' is invalid: ${error}`;
    seen.add(task.task_id.value);
  }
  return validateGroupExecutor(executor, tasks, ctx);
}
