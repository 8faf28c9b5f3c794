/**
 * The Mesos backend: moroccron as a Mesos framework. The framework runner
 * (src/mesos/framework) carries the protocol; the backend's hooks (run-hooks.ts) turn task
 * states into run reports. This shell turns the scheduler's launches and kills into
 * framework commands, and carries out the hooks' effects: reports posted durably (then
 * acknowledged), the framework ID into the store through the scheduler, the agent list.
 */
import type { Logger } from 'pino';
import type { JobSpec, Message, Millis, Run } from '../../core/types.js';
import { authorizationHeaders, type Credentials } from '../../mesos/client/index.js';
import { FrameworkRunner } from '../../mesos/framework/index.js';
import type { AgentReport, Backend, LogChunk, LogStream, Post } from '../types.js';
import { AgentDirectory } from './agent-directory.js';
import { backendHooks, type BackendEffect } from './run-hooks.js';
import { isExecutorLogLine } from './executor-lines.js';
import { readSandboxLog, sandboxOf } from './sandbox-logs.js';
import { launchRequestOf } from './task-info.js';
import { isOurTask, runIdOf, taskIdOf } from './task-ids.js';

export interface MesosBackendOptions {
  /** http://host:5050[,http://host2:5050], or zk://host:2181[,host2:2181]/mesos */
  masters: string;
  frameworkName: string;
  user: string;
  role: string;
  failoverTimeoutSeconds: number;
  /** HTTP Basic credentials: on every scheduler call, and on reads of /master/state and the agents' /files. */
  credentials?: Credentials;
  /** The stored framework ID (null before the first subscription). */
  frameworkId: string | null;
  /** Runs the store says are launching or running: reconciled after subscribing. */
  activeRuns: Run[];
  /** Agents nothing may be placed on. */
  blacklist: string[];
  post: Post;
  /** Post a message and learn whether what it changed reached the store (false: the scheduler stopped first). */
  postDurably: (message: Message) => Promise<boolean>;
  now: () => Millis;
  logger: Logger;
  /** The framework stopped for good (taken over by another scheduler, its ID not storable): stop. */
  onFatal: (error: Error) => void;
  /** How often the agent list is refreshed from the master (default 30 s). */
  agentRefreshMs?: number;
  reconcile?: { initialDelayMs?: number; maxDelayMs?: number; implicitIntervalMs?: number };
}

export class MesosBackend implements Backend {
  readonly kind = 'mesos' as const;
  private readonly runner: FrameworkRunner<never, BackendEffect>;
  private readonly directory = new AgentDirectory();
  private readonly refresher: NodeJS.Timeout;
  private lastAgents = '';
  private closed = false;

  constructor(private readonly options: MesosBackendOptions) {
    const { logger } = options;
    this.runner = new FrameworkRunner({
      masters: options.masters,
      config: {
        user: options.user,
        name: options.frameworkName,
        roles: [options.role],
        failoverTimeoutSeconds: options.failoverTimeoutSeconds,
        ...(options.credentials ? { credentials: options.credentials } : {}),
        isOurs: isOurTask,
        // A status is acknowledged once the run state it carries is stored: a crash in between
        // gets the update again (agents re-send it) instead of losing how the run ended.
        acknowledge: 'by-application',
        ...(options.reconcile ? { reconcile: options.reconcile } : {}),
        ...backendHooks,
      },
      restored: {
        frameworkId: options.frameworkId,
        blacklist: options.blacklist,
        tasks: options.activeRuns.map((run) => ({
          taskId: taskIdOf(run),
          group: run.job,
          ...(run.agent ? { agentId: run.agent } : {}),
          state: run.status === 'running' ? ('TASK_RUNNING' as const) : ('TASK_STAGING' as const),
          started: run.status === 'running',
        })),
      },
      persistFrameworkId: (frameworkId) => this.persistFrameworkId(frameworkId),
      interpret: (effect) => this.interpret(effect),
      log: ({ level, message, fields }) => logger[level](fields ?? {}, message),
      now: options.now,
    });
    void this.runner.done.then((error) => {
      if (error) options.onFatal(error);
    });
    this.refresher = setInterval(() => void this.refreshAgents(), options.agentRefreshMs ?? 30_000);
  }

  agents(): AgentReport[] {
    return this.directory.list().map((a) => ({ id: a.id, resources: a.resources, attributes: a.attributes, used: a.used, ...(a.isolation ? { isolation: a.isolation } : {}) }));
  }

  launch(run: Run, spec: JobSpec): void {
    this.runner.launch(launchRequestOf(run, spec));
  }

  kill(run: Run, gracePeriodMs: Millis): void {
    this.runner.kill(taskIdOf(run), gracePeriodMs);
  }

  killStray(runId: string, taskId: string | null, agent: string | null, reason: string): void {
    const stray = taskId ?? [...this.runner.view.tasks.keys()].find((id) => runIdOf(id) === runId);
    this.options.logger.warn({ runId, taskId: stray, agent }, `killing a task whose run has ended: ${reason}`);
    if (stray) this.runner.kill(stray);
  }

  /** Runs from before a restart were handed to the framework at construction; it reconciles them once subscribed. */
  reattach(): void {}

  async readLogs(run: Run, stream: LogStream, offset: number, limit: number): Promise<LogChunk | null> {
    const frameworkId = this.runner.view.frameworkId;
    const agent = run.agent ? this.directory.get(run.agent) : undefined;
    if (!frameworkId || !agent?.url) return null;
    return readSandboxLog(agent.url, sandboxOf(frameworkId, taskIdOf(run)), stream, offset, limit, authorizationHeaders(this.options.credentials));
  }

  isOwnLogLine(line: string): boolean {
    return isExecutorLogLine(line);
  }

  /** Sandboxes are the agents' to collect (their --gc_delay). */
  async forget(): Promise<void> {}

  teardown(): void {
    this.options.logger.warn({ frameworkId: this.runner.view.frameworkId }, 'tearing down the Mesos framework on request: every task is killed');
    this.runner.teardown();
  }

  setBlacklist(agents: string[]): void {
    this.runner.blacklist(agents);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.refresher);
    await this.runner.close();
  }

  /** Through the scheduler, which stores it: durable, or the scheduler has stopped. */
  private async persistFrameworkId(frameworkId: string | null): Promise<void> {
    const durable = await this.options.postDurably({ type: 'framework-id', now: this.options.now(), frameworkId });
    if (!durable) throw new Error('the scheduler stopped before storing it');
  }

  private interpret(effect: BackendEffect): void {
    switch (effect.type) {
      case 'report':
        return this.report(effect);
      case 'agent-offered':
        this.directory.fromOffer(effect.offer);
        this.announceAgents();
        return;
      case 'refresh-agents':
        void this.refreshAgents();
        return;
    }
  }

  private report({ report, ack }: Extract<BackendEffect, { type: 'report' }>): void {
    const { logger } = this.options;
    void this.options.postDurably(report).then(
      (durable) => {
        if (durable && ack) this.runner.acknowledge(ack);
        else if (!durable) logger.info({ runId: report.runId, report: report.type }, 'status not acknowledged: the scheduler stopped before storing it; Mesos sends it again');
      },
      (error: unknown) => logger.error({ err: error, runId: report.runId }, 'status not acknowledged: the scheduler failed to store it; Mesos sends it again'),
    );
  }

  private async refreshAgents(): Promise<void> {
    const master = this.runner.master;
    if (!master || this.closed) return;
    try {
      const response = await fetch(`${master}/master/state`, { headers: authorizationHeaders(this.options.credentials), signal: AbortSignal.timeout(10_000) });
      if (!response.ok) {
        this.options.logger.debug({ status: response.status }, 'could not read /master/state');
        return;
      }
      this.directory.fromMasterState((await response.json()) as Parameters<AgentDirectory['fromMasterState']>[0]);
      this.announceAgents();
      await Promise.all(this.directory.withoutIsolation().map((agent) => this.readAgentFlags(agent.id, agent.url!)));
    } catch (error) {
      this.options.logger.debug({ err: error }, 'could not read /master/state');
    }
  }

  /** An agent's isolators and containerizers are only on its own /flags (not in /master/state); read once per agent. */
  private async readAgentFlags(id: string, url: string): Promise<void> {
    try {
      const response = await fetch(`${url}/flags`, { headers: authorizationHeaders(this.options.credentials), signal: AbortSignal.timeout(10_000) });
      if (!response.ok) {
        this.options.logger.debug({ agent: id, status: response.status }, "could not read the agent's /flags");
        return;
      }
      this.directory.fromAgentFlags(id, (await response.json()) as { flags?: Record<string, unknown> });
    } catch (error) {
      this.options.logger.debug({ err: error, agent: id }, "could not read the agent's /flags");
    }
  }

  /** Tell the scheduler which agents every-agent jobs may fan out to, when that changes. */
  private announceAgents(): void {
    const agents = this.directory.activeIds();
    const key = agents.join(',');
    if (key === this.lastAgents || this.closed) return;
    this.lastAgents = key;
    this.options.post({ type: 'agents', now: this.options.now(), agents });
  }
}
