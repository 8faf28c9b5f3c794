/**
 * The framework's own decisions, as hooks: one task on every agent, none on blacklisted
 * agents. They read what they need from the framework's view (its tasks, pending requests
 * and blacklist) and answer with reactions; the only state of their own is a counter for
 * task ids.
 */
import { blacklist, effect, kill, launch, type FrameworkHooks, type FrameworkView, type LaunchRequest, type Reaction } from '../../src/mesos/framework/index.js';

export type AgentMessage = { kind: 'blacklist'; agentId: string } | { kind: 'unblacklist'; agentId: string };

/** A line for the console: the example's only effect of its own. */
export type Say = { type: 'say'; text: string };

type Reactions = Reaction<Say>[];

const TASK_PREFIX = 'every-agent-';

export const isOurTask = (taskId: string): boolean => taskId.startsWith(TASK_PREFIX);

const say = (text: string): Reaction<Say> => effect<Say>({ type: 'say', text });

/** Agents with a live task of ours, or a request waiting to go there. */
function coveredAgents(view: FrameworkView): Set<string> {
  const covered = new Set<string>();
  for (const task of view.tasks.values()) if (!task.terminal && task.agentId !== null) covered.add(task.agentId);
  for (const request of view.pending.values()) if (request.agentId !== undefined) covered.add(request.agentId);
  return covered;
}

/**
 * The request for "any agent without a task": the only one not pinned to an agent. It is
 * always pending, so offers are never suppressed and a new agent gets a task as soon as it
 * is offered; the framework declines covered agents' offers with a long filter.
 */
const newcomerOf = (view: FrameworkView): LaunchRequest | undefined => [...view.pending.values()].find((r) => r.agentId === undefined);

export class EveryAgentPolicy {
  private launches = 0;

  constructor(private readonly command: string) {}

  readonly hooks: FrameworkHooks<AgentMessage, Say> = {
    onSubscribed: (view) => (newcomerOf(view) ? [] : this.renewNewcomer(view)),
    onCustom: (view, message) => (message.kind === 'blacklist' ? this.onBlacklist(view, message.agentId) : this.onUnblacklist(view, message.agentId)),
    onTaskLaunched: (view, launched) => [say(`launched ${launched.taskId} on ${launched.agentId}`), ...(newcomerOf(view) ? [] : this.renewNewcomer(view))],
    onTaskStatus: (view, news) => {
      const line = say(`${news.taskId}: ${news.status.state}${news.status.message ? ` (${news.status.message})` : ''}`);
      return [line, ...(news.terminal && news.agentId !== null ? this.relaunch(view, news.agentId) : [])];
    },
  };

  /** A task ended on an agent: start another there, unless it is blacklisted or covered again. */
  private relaunch(view: FrameworkView, agentId: string): Reactions {
    if (view.blacklist.has(agentId) || coveredAgents(view).has(agentId)) return [];
    return [launch(this.request({ agentId }))];
  }

  /** The framework places nothing there any more; the task running there is ours to kill. */
  private onBlacklist(view: FrameworkView, agentId: string): Reactions {
    if (view.blacklist.has(agentId)) return [];
    const there = [...view.tasks.values()].filter((t) => t.agentId === agentId && !t.terminal);
    const waiting = [...view.pending.values()].filter((r) => r.agentId === agentId);
    return [blacklist([...view.blacklist, agentId]), ...[...there, ...waiting].map((t) => kill(t.taskId))];
  }

  /** A task still being killed there is relaunched when it ends; otherwise a new newcomer may go there. */
  private onUnblacklist(view: FrameworkView, agentId: string): Reactions {
    if (!view.blacklist.has(agentId)) return [];
    return [blacklist([...view.blacklist].filter((a) => a !== agentId)), ...this.renewNewcomer(view)];
  }

  /** A pending request cannot be changed: kill the old newcomer and ask for a new one. */
  private renewNewcomer(view: FrameworkView): Reactions {
    const old = newcomerOf(view);
    return [...(old ? [kill(old.taskId)] : []), launch(this.request({ excludedAgents: [...coveredAgents(view)] }))];
  }

  private request(placement: Pick<LaunchRequest, 'agentId' | 'excludedAgents'>): LaunchRequest {
    return {
      taskId: `${TASK_PREFIX}${++this.launches}`,
      group: 'every-agent',
      resources: { cpus: 0.1, mem: 32, disk: 0, gpus: 0, ports: 0 },
      constraints: [],
      priority: 0,
      dueAt: 0,
      ...placement,
      taskInfo: { name: 'every-agent', command: { shell: true, value: this.command } },
    };
  }
}
