/**
 * The impure shell around the pure reducer: one queue of messages (Mesos events, timers,
 * the policy's own messages), each handed to frameworkUpdate() in turn, and its effects
 * carried out: calls to the master, timers, and task news posted back as messages.
 */
import { SchedulerConnection, UrlListMasterDetector, type ConnectionMessage } from '../../src/mesos/client/index.js';
import {
  frameworkInfo,
  frameworkUpdate,
  newFrameworkState,
  type FrameworkEffect,
  type FrameworkMessage,
  type FrameworkState,
} from '../../src/mesos/framework/index.js';
import { EveryAgentPolicy, isOurTask, type AgentMessage, type PolicyEffect } from './policy.js';

export class EveryAgentFramework {
  readonly policy: EveryAgentPolicy;
  readonly state: FrameworkState<AgentMessage, PolicyEffect>;
  private readonly connection: SchedulerConnection;
  private readonly queue: FrameworkMessage<AgentMessage>[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private lastCall: Promise<unknown> = Promise.resolve();
  private stopping = false;

  constructor(master: string, command: string) {
    this.policy = new EveryAgentPolicy(command);
    this.state = newFrameworkState({
      user: 'nobody',
      name: 'every-agent-example',
      roles: ['*'],
      // The id lives only in this process: once it is gone, let the master kill its tasks soon.
      failoverTimeoutSeconds: 60,
      isOurs: isOurTask,
      onCustom: this.policy.onCustom,
    });
    this.connection = new SchedulerConnection({
      detector: new UrlListMasterDetector(master),
      frameworkInfo: () => frameworkInfo(this.state),
      frameworkId: () => this.state.frameworkId ?? undefined,
      onMessage: (message) => this.onConnection(message),
    });
    this.post({ kind: 'start' });
    this.connection.start();
  }

  /** Resolves once the connection has stopped: after stop(), or when the master refused us for good. */
  get done(): Promise<void> {
    return this.connection.done;
  }

  post(message: AgentMessage): void {
    this.enqueue({ type: 'custom', message, now: Date.now() });
  }

  /** TEARDOWN: the master kills our tasks and forgets the framework. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.enqueue({ type: 'teardown', now: Date.now() });
    await this.lastCall;
    this.close();
  }

  private close(): void {
    this.connection.close();
    for (const timer of this.timers.values()) clearTimeout(timer);
  }

  /** Messages posted while one is being handled wait their turn, so calls go out in order. */
  private enqueue(message: FrameworkMessage<AgentMessage>): void {
    this.queue.push(message);
    if (this.queue.length > 1) return;
    while (this.queue.length > 0) {
      for (const effect of frameworkUpdate(this.state, this.queue[0]!)) this.carryOut(effect);
      this.queue.shift();
    }
  }

  private carryOut(effect: FrameworkEffect | PolicyEffect): void {
    const now = Date.now();
    switch (effect.type) {
      case 'launch':
        return this.enqueue({ type: 'launch', request: effect.request, now });
      case 'kill':
        return this.enqueue({ type: 'kill', taskId: effect.taskId, now });
      case 'call': {
        const call = effect.call;
        this.lastCall = this.connection.call(call).then((result) => {
          if (result.kind === 'failed' || !result.accepted) console.warn(`${call.type} not accepted:`, result);
        });
        return;
      }
      case 'persist-framework-id':
        // A real framework stores the id durably here, before any call (moroccron keeps it in its store).
        return;
      case 'set-timer':
        clearTimeout(this.timers.get(effect.name));
        this.timers.set(effect.name, setTimeout(() => this.enqueue({ type: 'timer', name: effect.name, now: Date.now() }), effect.at - now));
        return;
      case 'cancel-timer':
        clearTimeout(this.timers.get(effect.name));
        this.timers.delete(effect.name);
        return;
      case 'task-launched':
        console.log(`launched ${effect.taskId} on ${effect.agentId}`);
        return this.post({ kind: 'task-launched', taskId: effect.taskId, agentId: effect.agentId });
      case 'task-status':
        console.log(`${effect.taskId}: ${effect.status.state}${effect.status.message ? ` (${effect.status.message})` : ''}`);
        if (!effect.terminal) return;
        this.enqueue({ type: 'forget', taskId: effect.taskId, now });
        return this.post({ kind: 'task-ended', taskId: effect.taskId });
      case 'log':
        if (effect.level !== 'debug') console.log(`${effect.level}: ${effect.message}`, effect.fields ?? '');
        return;
    }
  }

  private onConnection(message: ConnectionMessage): void {
    const now = Date.now();
    switch (message.type) {
      case 'connected':
        return this.enqueue({ type: 'connected', frameworkId: message.frameworkId, now });
      case 'event':
        return this.enqueue({ type: 'event', event: message.event, now });
      case 'disconnected':
        // After our TEARDOWN the master ends the stream: close before the connection re-subscribes.
        if (this.stopping) return this.close();
        return this.enqueue({ type: 'disconnected', reason: message.reason, now });
      case 'error':
        console.error(`mesos: ${message.message}`);
        if (message.fatal) process.exitCode = 1;
        return;
    }
  }
}
