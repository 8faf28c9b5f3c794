/**
 * The framework's own decisions: one task on every agent, none on blacklisted agents.
 * It runs inside the reducer's `onCustom` hook, so it sees its messages in the same
 * order as the Mesos events, and answers with launch and kill requests.
 */
import type { FrameworkView, LaunchRequest } from '../../src/mesos/framework/index.js';

export type AgentMessage =
  | { kind: 'start' }
  | { kind: 'blacklist'; agentId: string }
  | { kind: 'unblacklist'; agentId: string }
  | { kind: 'task-launched'; taskId: string; agentId: string }
  | { kind: 'task-ended'; taskId: string };

/** What the policy asks for; the shell turns these into `launch` and `kill` messages. */
export type PolicyEffect = { type: 'launch'; request: LaunchRequest } | { type: 'kill'; taskId: string };

const TASK_PREFIX = 'every-agent-';

export const isOurTask = (taskId: string): boolean => taskId.startsWith(TASK_PREFIX);

export class EveryAgentPolicy {
  readonly blacklist = new Set<string>();
  /** The task kept on each agent we cover, from its launch until it has ended. */
  private readonly taskOnAgent = new Map<string, string>();
  /**
   * A request that lands on any agent we do not cover yet. It is always pending, so
   * offers are never suppressed and a new agent is offered to us as soon as it joins;
   * the reducer declines the covered agents' offers with a long filter.
   */
  private newcomer: string | null = null;
  private launches = 0;

  constructor(private readonly command: string) {}

  readonly onCustom = (_view: FrameworkView, message: AgentMessage): PolicyEffect[] => {
    switch (message.kind) {
      case 'start':
        return this.renewNewcomer();
      case 'task-launched':
        if (message.taskId !== this.newcomer) return [];
        this.taskOnAgent.set(message.agentId, message.taskId);
        this.newcomer = null;
        return this.renewNewcomer();
      case 'task-ended':
        return this.onTaskEnded(message.taskId);
      case 'blacklist': {
        if (this.blacklist.has(message.agentId)) return [];
        this.blacklist.add(message.agentId);
        const taskId = this.taskOnAgent.get(message.agentId);
        // The agent stays covered until its task has ended, so nothing is relaunched there.
        return [...(taskId ? [{ type: 'kill' as const, taskId }] : []), ...this.renewNewcomer()];
      }
      case 'unblacklist':
        if (!this.blacklist.delete(message.agentId)) return [];
        // A task still being killed there is relaunched when it ends; otherwise the newcomer goes there.
        return this.renewNewcomer();
    }
  };

  private onTaskEnded(taskId: string): PolicyEffect[] {
    const agentId = [...this.taskOnAgent].find(([, id]) => id === taskId)?.[0];
    if (agentId === undefined) return [];
    this.taskOnAgent.delete(agentId);
    if (this.blacklist.has(agentId)) return [];
    const relaunch = this.request({ agentId });
    this.taskOnAgent.set(agentId, relaunch.taskId);
    return [{ type: 'launch', request: relaunch }];
  }

  /** A pending request cannot be changed: kill the old newcomer and ask for a new one. */
  private renewNewcomer(): PolicyEffect[] {
    const effects: PolicyEffect[] = this.newcomer ? [{ type: 'kill', taskId: this.newcomer }] : [];
    const request = this.request({ excludedAgents: [...this.taskOnAgent.keys(), ...this.blacklist] });
    this.newcomer = request.taskId;
    return [...effects, { type: 'launch', request }];
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
