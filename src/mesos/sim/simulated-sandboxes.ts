/**
 * The sandboxes of simulated tasks, as the agent's /files endpoints show them. Nothing is written
 * to disk: a sandbox holds a one-line `stdout` saying that the command was not run and an empty
 * `stderr` (a task group's executor sandbox holds `tasks/<id>/` for each task). The agent keeps
 * the latest 10,000; older ones answer 404, as sandboxes a real agent has collected do.
 */
import { posix } from 'node:path';
import type { SimTask } from './sim-task.js';

export const SIMULATED_SANDBOX_CAPACITY = 10_000;

export interface VirtualFile {
  kind: 'file';
  content: Buffer;
  mtime: number;
}

export interface VirtualDirectory {
  kind: 'directory';
  entries: { name: string; node: VirtualFile | VirtualDirectory }[];
  mtime: number;
}

export type VirtualNode = VirtualFile | VirtualDirectory;

interface SimulatedSandbox {
  containerId: string;
  /** Seconds since the epoch, as /files/browse reports mtimes. */
  createdAt: number;
  /** The command task's id, or undefined for a task group's executor. */
  taskId: string | undefined;
  /** A task group's tasks, each with a sandbox of its own under tasks/. */
  groupTaskIds: string[];
}

const EMPTY = Buffer.alloc(0);

export const simulatedStdout = (taskId: string): string => `Simulated task ${taskId}: its command was not run (mesos-sim --task-mode simulated)\n`;

const file = (content: Buffer, mtime: number): VirtualFile => ({ kind: 'file', content, mtime });

function logs(taskId: string | undefined, mtime: number): VirtualDirectory['entries'] {
  return [
    { name: 'stderr', node: file(EMPTY, mtime) },
    { name: 'stdout', node: file(taskId === undefined ? EMPTY : Buffer.from(simulatedStdout(taskId)), mtime) },
  ];
}

function runDirectory(sandbox: SimulatedSandbox): VirtualDirectory {
  const { createdAt: mtime } = sandbox;
  const entries = logs(sandbox.taskId, mtime);
  if (sandbox.taskId === undefined) {
    const tasks = sandbox.groupTaskIds.map((id) => ({ name: id, node: { kind: 'directory' as const, entries: logs(id, mtime), mtime } }));
    entries.push({ name: 'tasks', node: { kind: 'directory', entries: tasks, mtime } });
  }
  return { kind: 'directory', entries, mtime };
}

/** `/frameworks/<F>/executors/<E>/runs/<run>` and what follows it. */
const RUN_PATH = /^\/frameworks\/([^/]+)\/executors\/([^/]+)\/runs\/([^/]+)(\/.*)?$/;

export class SimulatedSandboxes {
  /** By framework and executor id, oldest first. */
  private readonly sandboxes = new Map<string, SimulatedSandbox>();

  constructor(
    /** The agent's directory under its work dir: real sandbox paths start with it. */
    private readonly agentRoot: string,
    private readonly capacity = SIMULATED_SANDBOX_CAPACITY,
  ) {}

  add(task: SimTask): void {
    const key = `${task.frameworkId}/${task.executorId}`;
    const existing = this.sandboxes.get(key);
    if (task.groupId !== undefined && existing?.containerId === task.containerId) {
      existing.groupTaskIds.push(task.info.task_id.value);
      return;
    }
    this.sandboxes.delete(key);
    const taskId = task.groupId === undefined ? task.info.task_id.value : undefined;
    this.sandboxes.set(key, { containerId: task.containerId, createdAt: Date.now() / 1000, taskId, groupTaskIds: taskId === undefined ? [task.info.task_id.value] : [] });
    if (this.sandboxes.size > this.capacity) this.sandboxes.delete(this.sandboxes.keys().next().value!);
  }

  /**
   * The node at a /files path, or undefined when no simulated sandbox holds it. Like the agent's
   * real paths: absolute only, `runs/latest` for the virtual path, the container id (or latest)
   * under the agent's work dir.
   */
  lookup(path: string): VirtualNode | undefined {
    if (!path.startsWith('/') || this.sandboxes.size === 0) return undefined;
    let normalized = posix.normalize(path);
    if (normalized.length > 1) normalized = normalized.replace(/\/$/, '');
    const real = normalized.startsWith(this.agentRoot + '/');
    const match = RUN_PATH.exec(real ? normalized.slice(this.agentRoot.length) : normalized);
    if (!match) return undefined;
    const [, frameworkId, executorId, run, rest = ''] = match;
    const sandbox = this.sandboxes.get(`${frameworkId}/${executorId}`);
    if (!sandbox || (run !== 'latest' && !(real && run === sandbox.containerId))) return undefined;
    let node: VirtualNode | undefined = runDirectory(sandbox);
    for (const name of rest.split('/').filter((p) => p !== '')) {
      node = node.kind === 'directory' ? node.entries.find((e) => e.name === name)?.node : undefined;
      if (!node) return undefined;
    }
    return node;
  }
}
