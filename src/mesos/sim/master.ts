/**
 * The fake master's state and framework lifecycle: subscription, failover, disconnect,
 * removal, status update forwarding, master restart and abort.
 */
import type { ServerResponse } from 'node:http';
import type { Call, FrameworkInfo, MasterInfo, TaskStatus } from '../types.js';
import { Agent, type AgentListener } from './agent.js';
import { reregisterAgents } from './agent-links.js';
import { Allocator } from './allocator.js';
import { credentialTable, type CredentialTable } from './authentication.js';
import type { MasterView } from './master-view.js';
import { EventStream } from './event-stream.js';
import { Framework } from './framework.js';
import { frameworkRoles, validateFrameworkInfo } from './framework-info.js';
import { LongTimer } from './long-timer.js';
import { Counters, countTerminal } from './counters.js';
import { OfferBook } from './offer-book.js';
import type { RestartMasterOptions, SimConfig } from './options.js';
import { Resources } from './resources.js';
import { isTerminal, type SimTask } from './sim-task.js';
import { newUuid } from './uuid.js';

/** How long agents take to re-register with a restarted master, unless told otherwise. */
const AGENT_REREGISTER_DELAY_MS = 200;
const FRAMEWORK_SHUTDOWN_GRACE_MS = 3000;

export class Master implements AgentListener, MasterView {
  id = newUuid();
  port = 0;
  readonly agents: Agent[] = [];
  readonly frameworks = new Map<string, Framework>();
  /** Torn down or timed out; re-subscribing with these IDs is refused. Forgotten on restart. */
  readonly removedFrameworks = new Map<string, Framework>();
  readonly offers = new OfferBook();
  /** Master-wide metrics (metrics.ts); a restarted master starts again from 0. */
  readonly counters = new Counters();
  startTime = Date.now() / 1000;
  electedTime = Date.now() / 1000;
  /** Who may use the scheduler endpoint (and /master/state, when read-only auth is on); undefined: anybody. */
  credentials: CredentialTable | undefined;
  /** Called when the master aborts, to stop answering on its port. */
  onAbort: (() => void) | undefined;
  private frameworkCounter = 0;
  private readonly allocator = new Allocator(this);
  private allocationTimer: NodeJS.Timeout | undefined;
  private pendingAllocation: NodeJS.Immediate | undefined;
  private reregisterTimer: NodeJS.Timeout | undefined;

  constructor(readonly config: SimConfig) {
    this.credentials = config.credentials;
  }

  addAgent(index: number): Agent {
    const c = this.config;
    const scalars = new Map<string, number>([['cpus', c.cpus], ['mem', c.mem], ['disk', c.disk]]);
    const gpus = c.gpus(index);
    if (gpus > 0) scalars.set('gpus', gpus);
    const total = new Resources(scalars, new Map([['ports', [{ begin: c.ports[0], end: c.ports[1] }]]]));
    const setup = { id: `${this.id}-S${index}`, hostname: c.host, total, attributes: c.attributes(index), flags: c.agentFlags(index), workDir: c.workDir, retryMs: c.reliableRetryMs, switchUser: c.switchUser, taskMode: c.taskMode };
    const agent = new Agent(setup, this);
    this.agents.push(agent);
    return agent;
  }

  start(): void {
    this.allocationTimer = setInterval(() => this.allocate(), this.config.allocationIntervalMs);
  }

  get masterInfo(): MasterInfo & { capabilities: { type: string }[] } {
    const host = this.config.host;
    const octets = host.split('.').map(Number);
    const ip = octets.length === 4 && octets.every((o) => o >= 0 && o <= 255) ? octets.reduce((n, o, i) => n + o * 2 ** (8 * i), 0) : 0;
    return {
      id: this.id,
      ip,
      port: this.port,
      pid: `master@${host}:${this.port}`,
      hostname: host,
      version: '1.12.0',
      address: { hostname: host, ip: host, port: this.port },
      capabilities: [{ type: 'AGENT_UPDATE' }, { type: 'AGENT_DRAINING' }, { type: 'QUOTA_V2' }],
    };
  }

  // ---- tasks as the master sees them (only on reachable agents; the others' are "unreachable tasks") ----

  activeTasks(frameworkId: string): SimTask[] {
    return this.agents.filter((a) => a.reachable).flatMap((a) => [...a.tasks.values()].filter((t) => t.frameworkId === frameworkId));
  }

  unreachableTasks(frameworkId: string): SimTask[] {
    return this.agents
      .filter((a) => a.registration === 'registered' && a.unreachableSince !== null)
      .flatMap((a) => [...a.tasks.values()].filter((t) => t.frameworkId === frameworkId && !isTerminal(t.statusUpdateState)));
  }

  findTask(frameworkId: string, taskId: string): SimTask | undefined {
    for (const agent of this.agents) {
      const task = agent.reachable ? agent.task(frameworkId, taskId) : undefined;
      if (task) return task;
    }
    return undefined;
  }

  registeredAgent(agentId: string | undefined): Agent | undefined {
    return this.agents.find((a) => a.id === agentId && a.reachable);
  }

  sendUpdate(framework: Framework, status: TaskStatus): void {
    framework.send({ type: 'UPDATE', update: { status } });
  }

  /**
   * AgentListener: the master records the update and passes it on, if it can hear the agent.
   * The agent attaches the task's current state, which becomes the master's view of the task.
   */
  forwardUpdate(task: SimTask, status: TaskStatus): void {
    const agent = this.agents.find((a) => a.id === task.agentId);
    if (!agent?.reachable) return;
    if (!task.statuses.some((s) => s.uuid === status.uuid)) task.statuses.push(status);
    const framework = this.frameworks.get(task.frameworkId);
    if (task.statusUpdateState !== status.state && isTerminal(status.state)) countTerminal(this, framework, status.state);
    task.statusUpdateState = status.state;
    task.masterState = task.latestState;
    if (framework) this.sendUpdate(framework, status);
  }

  // ---- subscription ----

  subscribe(res: ServerResponse, call: Call): void {
    const subscribe = call.subscribe!;
    const suppressed = subscribe.suppressed_roles ?? [];
    const streamId = newUuid();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Mesos-Stream-Id': streamId });
    res.flushHeaders();
    let owner: Framework | undefined;
    const stream = new EventStream(streamId, res, () => {
      if (owner && owner.stream === stream) this.disconnect(owner);
    });
    const refuse = (message: string): void => {
      stream.send({ type: 'ERROR', error: { message } });
      stream.close();
    };
    const info = subscribe.framework_info;
    const invalid = validateFrameworkInfo(info, suppressed);
    if (invalid) return refuse(invalid);
    const requestedId = info.id?.value;
    if (requestedId !== undefined && this.removedFrameworks.has(requestedId)) return refuse('Framework has been removed');
    let framework = requestedId === undefined ? undefined : this.frameworks.get(requestedId);
    if (framework) {
      if (framework.principalDiffers(info)) return refuse('Changing framework\'s principal is not allowed');
      this.failOver(framework, info);
    } else {
      const id = requestedId ?? `${this.id}-${String(this.frameworkCounter++).padStart(4, '0')}`;
      framework = new Framework(id, { ...info, id: { value: id } });
      this.frameworks.set(id, framework);
    }
    owner = framework;
    framework.counters.add('calls');
    framework.counters.add('calls/subscribe');
    this.setSuppressedRoles(framework, suppressed);
    framework.stream = stream;
    stream.send({
      type: 'SUBSCRIBED',
      subscribed: { framework_id: { value: framework.id }, heartbeat_interval_seconds: this.config.heartbeatIntervalSeconds, master_info: this.masterInfo },
    });
    stream.startHeartbeats(this.config.heartbeatIntervalSeconds);
    this.config.log(`framework ${framework.id} subscribed on stream ${streamId}`);
    for (const agent of this.agents) if (agent.reachable) agent.resendPending(framework.id);
    this.scheduleAllocation();
  }

  /** An existing framework subscribes again: old stream told and closed, offers dropped silently. */
  private failOver(framework: Framework, info: FrameworkInfo): void {
    if (framework.connected) {
      framework.stream!.send({ type: 'ERROR', error: { message: 'Framework failed over' } });
      framework.stream!.close();
    }
    framework.stream = undefined;
    framework.failoverTimer?.cancel();
    framework.failoverTimer = undefined;
    for (const offer of this.offers.ofFramework(framework.id)) this.offers.take(offer.id);
    // user and checkpoint are immutable; a re-subscribe silently keeps the old values.
    const { user, checkpoint } = framework.info;
    const roles = frameworkRoles(info);
    this.dropOffersOfRemovedRoles(framework, roles);
    framework.info = { ...info, id: { value: framework.id }, user, checkpoint };
    framework.roles = roles;
    framework.recovered = false;
    framework.reregisteredTime = Date.now() / 1000;
  }

  /** The new set replaces the old; roles leaving it are revived (their filters cleared). */
  setSuppressedRoles(framework: Framework, suppressed: readonly string[]): void {
    const leaving = [...framework.suppressed].filter((r) => !suppressed.includes(r));
    if (leaving.length > 0) this.offers.clearFilters(framework.id, leaving);
    framework.suppressed = new Set(suppressed);
  }

  /** Offers to roles a framework no longer has are rescinded. */
  dropOffersOfRemovedRoles(framework: Framework, newRoles: readonly string[]): void {
    const removed = framework.roles.filter((r) => !newRoles.includes(r));
    for (const offer of this.offers.ofFramework(framework.id)) {
      if (!removed.includes(offer.role)) continue;
      this.offers.take(offer.id);
      framework.counters.add('offers/rescinded');
      framework.send({ type: 'RESCIND', rescind: { offer_id: { value: offer.id } } });
    }
    if (removed.length > 0) this.offers.clearFilters(framework.id, removed);
  }

  /** The stream went away: deactivate, drop offers, start the failover timeout. */
  private disconnect(framework: Framework): void {
    framework.stream = undefined;
    framework.unregisteredTime = Date.now() / 1000;
    for (const offer of this.offers.ofFramework(framework.id)) this.offers.take(offer.id);
    const timeoutMs = (framework.info.failover_timeout ?? 0) * 1000;
    this.config.log(`framework ${framework.id} disconnected; removing it in ${timeoutMs} ms unless it re-subscribes`);
    framework.failoverTimer = new LongTimer(() => {
      if (!framework.connected && this.frameworks.get(framework.id) === framework) this.removeFramework(framework);
    }, timeoutMs);
  }

  /** TEARDOWN or failover timeout: close the stream without an ERROR, kill every task. */
  removeFramework(framework: Framework): void {
    framework.failoverTimer?.cancel();
    framework.stream?.close();
    framework.stream = undefined;
    this.frameworks.delete(framework.id);
    this.removedFrameworks.set(framework.id, framework);
    framework.unregisteredTime ??= Date.now() / 1000;
    for (const offer of this.offers.ofFramework(framework.id)) this.offers.take(offer.id);
    this.offers.clearFilters(framework.id);
    for (const agent of this.agents) {
      for (const task of agent.shutdownFramework(framework.id, FRAMEWORK_SHUTDOWN_GRACE_MS)) {
        framework.recordCompleted(task, isTerminal(task.masterState) ? task.masterState : 'TASK_KILLED');
      }
    }
    this.config.log(`framework ${framework.id} removed`);
  }

  // ---- allocation ----

  scheduleAllocation(): void {
    this.pendingAllocation ??= setImmediate(() => {
      this.pendingAllocation = undefined;
      this.allocate();
    });
  }

  allocate(): void {
    this.allocator.allocate();
  }

  // ---- master restart and abort ----

  /** A new master process: streams end, offers and removed-framework memory are gone, agents re-register after a while. */
  restart(options: RestartMasterOptions = {}): void {
    this.forgetEverything((stream) => stream.close());
    this.counters.clear();
    this.id = newUuid();
    this.frameworkCounter = 0;
    this.electedTime = Date.now() / 1000;
    if (options.credentials !== undefined) this.credentials = options.credentials === null ? undefined : credentialTable(options.credentials);
    const registry = options.registry ?? 'replicated-log';
    for (const agent of this.agents) agent.registration = registry === 'in-memory' ? 'unknown' : 'recovered';
    this.reregisterTimer = setTimeout(() => reregisterAgents(this), options.agentReregisterDelayMs ?? AGENT_REREGISTER_DELAY_MS);
    this.config.log(`master ${this.id} elected with the ${registry} registry`);
  }

  /**
   * The master process dies (a failed CHECK): no answer, every connection drops and the port
   * stops listening. Agents keep their tasks and hold their updates until a master comes back.
   */
  abort(reason: string): void {
    this.config.log(`master ${this.id} aborted: ${reason}`);
    this.forgetEverything((stream) => stream.drop());
    for (const agent of this.agents) agent.registration = 'unknown';
    this.onAbort?.();
  }

  private forgetEverything(endStream: (stream: EventStream) => void): void {
    if (this.reregisterTimer) clearTimeout(this.reregisterTimer);
    for (const framework of this.frameworks.values()) {
      framework.failoverTimer?.cancel();
      if (framework.stream) endStream(framework.stream);
    }
    this.frameworks.clear();
    this.removedFrameworks.clear();
    this.offers.clear();
  }

  stop(): void {
    if (this.allocationTimer) clearInterval(this.allocationTimer);
    if (this.pendingAllocation) clearImmediate(this.pendingAllocation);
    if (this.reregisterTimer) clearTimeout(this.reregisterTimer);
    for (const framework of this.frameworks.values()) {
      framework.failoverTimer?.cancel();
      framework.stream?.close();
    }
    this.offers.clear();
    for (const agent of this.agents) agent.killAllNow();
  }
}
