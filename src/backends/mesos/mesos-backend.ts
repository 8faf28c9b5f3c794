/**
 * The Mesos backend: moroccron as a Mesos framework. The pure framework reducer
 * (src/mesos/framework) decides; this shell feeds it the connection's events, the
 * scheduler's launches and kills and its own timers, one at a time, and carries out its
 * effects: calls to the master, the framework ID into the store, task statuses back to
 * the scheduler loop as run messages.
 */
import type { Logger } from 'pino';
import type { JobSpec, Message, Millis, Run } from '../../core/types.js';
import {
  FRAMEWORK_FAILED_OVER,
  FRAMEWORK_REMOVED,
  SchedulerConnection,
  detectorFor,
  type ConnectionMessage,
  type MasterDetector,
} from '../../mesos/client/index.js';
import {
  frameworkInfo,
  frameworkUpdate,
  newFrameworkState,
  type AckToken,
  type FrameworkEffect,
  type FrameworkMessage,
  type FrameworkState,
} from '../../mesos/framework/index.js';
import type { AgentInfo } from '../../core/types.js';
import type { Backend, LogChunk, LogStream, Post } from '../types.js';
import { AgentDirectory } from './agent-directory.js';
import { readSandboxLog, sandboxOf } from './sandbox-logs.js';
import { reportFor } from './status-mapping.js';
import { launchRequestOf } from './task-info.js';
import { isOurTask, runIdOf, taskIdOf } from './task-ids.js';

export interface MesosBackendOptions {
  /** http://host:5050[,http://host2:5050], or zk://host:2181[,host2:2181]/mesos */
  masters: string;
  frameworkName: string;
  user: string;
  role: string;
  failoverTimeoutSeconds: number;
  /** The stored framework ID (null before the first subscription). */
  frameworkId: string | null;
  /** Durable before anything else happens after SUBSCRIBED. */
  persistFrameworkId: (id: string | null) => Promise<void>;
  /** Runs the store says are launching or running: reconciled after subscribing. */
  activeRuns: Run[];
  blacklist: string[];
  post: Post;
  /** Post a run message and learn whether what it changed reached the store (false: the scheduler stopped first). */
  postDurably: (message: Message) => Promise<boolean>;
  now: () => Millis;
  logger: Logger;
  /** Another scheduler took over this framework: stop. */
  onFatal: (error: Error) => void;
  /** Whether the scheduler still has the run unfinished (a read of its state). */
  isRunActive: (runId: string) => boolean;
  /** How often the agent list is refreshed from the master (default 30 s). */
  agentRefreshMs?: number;
  reconcile?: { initialDelayMs?: number; maxDelayMs?: number; implicitIntervalMs?: number };
}

interface TaskOfRun {
  runId: string;
  /** Reached TASK_STARTING or later: its command may have run. */
  started: boolean;
}

export class MesosBackend implements Backend {
  readonly kind = 'mesos' as const;
  private readonly state: FrameworkState;
  private readonly detector: MasterDetector;
  private readonly connection: SchedulerConnection;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly tasks = new Map<string, TaskOfRun>();
  private readonly directory = new AgentDirectory();
  private blacklist: Set<string>;
  private lastAgents = '';
  private persisting: Promise<void> = Promise.resolve();
  private refresher: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: MesosBackendOptions) {
    this.blacklist = new Set(options.blacklist);
    for (const run of options.activeRuns) this.tasks.set(taskIdOf(run), { runId: run.id, started: run.status === 'running' });
    this.state = newFrameworkState(
      {
        user: options.user,
        name: options.frameworkName,
        roles: [options.role],
        failoverTimeoutSeconds: options.failoverTimeoutSeconds,
        isOurs: isOurTask,
        // A status is acknowledged once the run state it carries is stored: a crash in between
        // gets the update again (agents re-send it) instead of losing how the run ended.
        acknowledge: 'by-application',
        ...(options.reconcile ? { reconcile: options.reconcile } : {}),
      },
      {
        frameworkId: options.frameworkId,
        tasks: options.activeRuns.map((run) => ({
          taskId: taskIdOf(run),
          group: run.job,
          ...(run.agent ? { agentId: run.agent } : {}),
          state: run.status === 'running' ? ('TASK_RUNNING' as const) : ('TASK_STAGING' as const),
        })),
      },
    );
    this.detector = detectorFor(options.masters, { onError: (message) => options.logger.warn(message) });
    this.connection = new SchedulerConnection({
      detector: this.detector,
      frameworkInfo: () => frameworkInfo(this.state),
      frameworkId: () => this.state.frameworkId ?? undefined,
      onMessage: (message) => this.onConnection(message),
    });
    this.connection.start();
    this.refresher = setInterval(() => void this.refreshAgents(), options.agentRefreshMs ?? 30_000);
  }

  frameworkId(): string | null {
    return this.state.frameworkId;
  }

  agents(): AgentInfo[] {
    return this.directory.list().map((a) => ({ id: a.id, resources: a.resources }));
  }

  launch(run: Run, spec: JobSpec): void {
    const taskId = taskIdOf(run);
    this.tasks.set(taskId, { runId: run.id, started: false });
    this.dispatch({ type: 'launch', request: launchRequestOf(run, spec, [...this.blacklist]), now: this.options.now() });
  }

  kill(run: Run, gracePeriodMs: Millis): void {
    this.dispatch({ type: 'kill', taskId: taskIdOf(run), gracePeriodMs, now: this.options.now() });
  }

  /** Runs from before a restart were handed to the reducer at construction; it reconciles them once subscribed. */
  reattach(run: Run): void {
    const taskId = taskIdOf(run);
    if (!this.tasks.has(taskId)) this.tasks.set(taskId, { runId: run.id, started: run.status === 'running' });
  }

  async readLogs(run: Run, stream: LogStream, offset: number, limit: number): Promise<LogChunk | null> {
    const frameworkId = this.state.frameworkId;
    const agent = run.agent ? this.directory.get(run.agent) : undefined;
    if (!frameworkId || !agent?.url) return null;
    return readSandboxLog(agent.url, sandboxOf(frameworkId, taskIdOf(run)), stream, offset, limit);
  }

  /** Sandboxes are the agents' to collect (their --gc_delay). */
  async forget(): Promise<void> {}

  teardown(): void {
    this.options.logger.warn({ frameworkId: this.state.frameworkId }, 'tearing down the Mesos framework on request: every task is killed');
    this.dispatch({ type: 'teardown', now: this.options.now() });
  }

  setBlacklist(agents: string[]): void {
    this.blacklist = new Set(agents);
    this.announceAgents();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connection.close();
    this.detector.close?.();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    if (this.refresher) clearInterval(this.refresher);
    await this.connection.done.catch(() => {});
  }

  private dispatch(message: FrameworkMessage): void {
    if (this.closed) return;
    for (const effect of frameworkUpdate(this.state, message)) this.carryOut(effect);
  }

  private carryOut(effect: FrameworkEffect): void {
    const { logger } = this.options;
    switch (effect.type) {
      case 'call': {
        const call = effect.call;
        // Calls wait for the framework ID to be durable, so nothing happens under an ID we could forget.
        void this.persisting
          .then(() => this.connection.call(call))
          .then((result) => {
            if (result.kind === 'failed') logger.warn({ call: call.type, reason: result.reason }, `Mesos call not sent: ${result.message}`);
            else if (!result.accepted) logger.warn({ call: call.type, status: result.status }, `Mesos refused a call: ${result.body}`);
          });
        break;
      }
      case 'persist-framework-id':
        this.persisting = this.persisting
          .then(() => this.options.persistFrameworkId(effect.frameworkId))
          .catch((error: Error) => this.options.onFatal(error));
        break;
      case 'set-timer': {
        clearTimeout(this.timers.get(effect.name));
        const delay = Math.max(0, effect.at - this.options.now());
        this.timers.set(effect.name, setTimeout(() => this.dispatch({ type: 'timer', name: effect.name, now: this.options.now() }), delay));
        break;
      }
      case 'cancel-timer':
        clearTimeout(this.timers.get(effect.name));
        this.timers.delete(effect.name);
        break;
      case 'task-launched':
        logger.debug({ taskId: effect.taskId, agent: effect.agentId }, 'task launched');
        break;
      case 'task-status':
        this.onTaskStatus(effect.taskId, effect.status, effect.terminal, effect.ack);
        break;
      case 'log':
        logger[effect.level](effect.fields ?? {}, effect.message);
        break;
    }
  }

  private onTaskStatus(
    taskId: string,
    status: Extract<FrameworkEffect, { type: 'task-status' }>['status'],
    terminal: boolean,
    ack: AckToken | null,
  ): void {
    const acknowledge = () => {
      if (ack) this.dispatch({ type: 'acknowledge', ack, now: this.options.now() });
    };
    const runId = this.tasks.get(taskId)?.runId ?? runIdOf(taskId);
    if (!runId) return acknowledge();
    if (!this.options.isRunActive(runId)) {
      acknowledge();
      if (terminal) {
        this.tasks.delete(taskId);
        this.dispatch({ type: 'forget', taskId, now: this.options.now() });
      } else if (status.state !== 'TASK_UNREACHABLE' && status.state !== 'TASK_KILLING') {
        // Its run has ended (lost while its agent was unreachable, say), yet here it is: it must not run on.
        this.options.logger.warn({ taskId, state: status.state }, 'killing a task whose run has already ended');
        this.dispatch({ type: 'kill', taskId, now: this.options.now() });
      }
      return;
    }
    const task = this.tasks.get(taskId) ?? { runId, started: false };
    this.tasks.set(taskId, task);
    const report = reportFor(runId, status, task.started, this.options.now());
    if (status.state !== 'TASK_STAGING' && status.state !== 'TASK_UNKNOWN' && !terminal) task.started = true;
    if (report) {
      void this.options.postDurably(report).then((durable) => {
        if (durable) acknowledge();
        else this.options.logger.info({ taskId, state: status.state }, 'status not acknowledged: the scheduler stopped before storing it; Mesos sends it again');
      });
    } else {
      acknowledge();
    }
    const outcome = report !== null && report.type !== 'run-started' && report.type !== 'run-unreachable';
    if (terminal || outcome) {
      this.tasks.delete(taskId);
      this.dispatch({ type: 'forget', taskId, now: this.options.now() });
    }
  }

  private onConnection(message: ConnectionMessage): void {
    const now = this.options.now();
    switch (message.type) {
      case 'connected':
        this.options.logger.info({ frameworkId: message.frameworkId, master: message.master }, 'subscribed to Mesos');
        this.dispatch({ type: 'connected', frameworkId: message.frameworkId, now });
        void this.refreshAgents();
        break;
      case 'event':
        if (message.event.type === 'OFFERS') {
          for (const offer of message.event.offers.offers ?? []) this.directory.fromOffer(offer);
          this.announceAgents();
        }
        this.dispatch({ type: 'event', event: message.event, now });
        break;
      case 'disconnected':
        this.options.logger.warn(`Mesos subscription lost: ${message.reason}; re-subscribing`);
        this.dispatch({ type: 'disconnected', reason: message.reason, now });
        break;
      case 'error':
        this.onError(message.message, message.fatal);
        break;
    }
  }

  private onError(text: string, fatal: boolean): void {
    const { logger } = this.options;
    if (text.includes(FRAMEWORK_FAILED_OVER)) {
      this.options.onFatal(new Error(`Mesos: ${text}: another scheduler subscribed as this framework`));
    } else if (text.includes(FRAMEWORK_REMOVED)) {
      // Torn down or timed out: its tasks are gone. Start over as a new framework.
      logger.error(`Mesos: ${text}; subscribing as a new framework (the old one's tasks were killed)`);
      this.state.frameworkId = null;
      this.persisting = this.persisting.then(() => this.options.persistFrameworkId(null));
    } else if (fatal) {
      this.options.onFatal(new Error(`Mesos: ${text}`));
    } else {
      logger.warn(`Mesos: ${text}`);
    }
  }

  private async refreshAgents(): Promise<void> {
    const master = this.connection.master;
    if (!master || this.closed) return;
    try {
      const response = await fetch(`${master}/master/state`, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) return;
      this.directory.fromMasterState((await response.json()) as { slaves?: [] });
      this.announceAgents();
    } catch (error) {
      this.options.logger.debug({ err: error }, 'could not read /master/state');
    }
  }

  /** Tell the scheduler which agents every-agent jobs fan out to, when that changes. */
  private announceAgents(): void {
    const eligible = this.directory.activeIds().filter((id) => !this.blacklist.has(id));
    const key = eligible.join(',');
    if (key === this.lastAgents) return;
    this.lastAgents = key;
    this.options.post({ type: 'agents', now: this.options.now(), agents: eligible });
  }
}
