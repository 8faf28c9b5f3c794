/**
 * A fake shell around the pure scheduler core, for unit tests: a fake clock, an in-memory
 * store that behaves like the real one (claims are refused when their (job, key) is taken,
 * deleting a job deletes its runs), and a fake backend that records launches and kills and
 * can play runs on its own (`autoRun`). Nothing sleeps: `advanceTo` delivers a tick at each
 * time the core asked to be woken, in order, and backend events at their times.
 *
 * Unlike the real loop, each message's effects are carried out before the next message is
 * handled, and a `claimed` answer is fed back at once (same `now`).
 */
import assert from 'node:assert/strict';
import { systemActor } from '../../src/core/access-control.js';
import { validateJobSpec, type JobSpecInput } from '../../src/core/job-spec.js';
import { initialState, type SchedulerConfig, type SchedulerState } from '../../src/core/state.js';
import {
  FRAMEWORK_ID_META,
  NO_PROGRESS,
  isTerminal,
  type Actor,
  type AuditEntry,
  type BlacklistEntry,
  type HostUsers,
  type Isolation,
  type Notice,
  type StoredOwner,
  type Command,
  type CommandResult,
  type Effect,
  type JobSpec,
  type Message,
  type Millis,
  type Resources,
  type Run,
  type SchedulerEvent,
  type StoreOp,
  type StoredJob,
} from '../../src/core/types.js';
import { update } from '../../src/core/update.js';

// ---------------------------------------------------------------------------------------
// small helpers

/** Epoch ms of an ISO time. */
export const at = (iso: string): Millis => {
  const t = Date.parse(iso);
  assert.ok(Number.isFinite(t), `bad time ${iso}`);
  return t;
};

/** ISO string of epoch ms. */
export const iso = (t: Millis): string => new Date(t).toISOString();

/** A full job spec from a partial one, defaults filled by validateJobSpec. */
export function spec(input: Partial<JobSpecInput> & { name: string }): JobSpec {
  const runnable = input.command !== undefined || input.args !== undefined || input.container !== undefined;
  const result = validateJobSpec(runnable ? input : { command: 'true', ...input });
  assert.ok(result.ok, `invalid spec: ${JSON.stringify(result.ok ? null : result.errors)}`);
  return result.value;
}

/** A stored job as the store would hand it to boot. */
export const storedJob = (s: JobSpec, cursor: Millis | null, createdAt: Millis = cursor ?? 0): StoredJob => ({
  spec: s,
  cursor,
  createdAt,
  updatedAt: createdAt,
  progress: NO_PROGRESS,
});

export const storeOps = (effects: Effect[]): StoreOp[] => effects.flatMap((e) => (e.type === 'store' ? e.ops : []));

export const claimsIn = (effects: Effect[]): Run[] =>
  storeOps(effects).flatMap((op) => (op.op === 'claim-run' ? [op.run] : []));

export const ofType = <T extends Effect['type']>(effects: Effect[], type: T): Extract<Effect, { type: T }>[] =>
  effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);

// ---------------------------------------------------------------------------------------
// the store

const keyOf = (job: string, key: string): string => `${job}\u0000${key}`;
const byTime = (a: Run, b: Run): number => a.scheduledAt - b.scheduledAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** What the SQLite store does with the ops, kept in maps. Everything is copied in and out. */
export class FakeStore {
  readonly jobs = new Map<string, StoredJob>();
  readonly runs = new Map<string, Run>();
  readonly blacklist = new Map<string, BlacklistEntry>();
  readonly owners = new Map<string, StoredOwner>();
  /** The outbox, in the order notices were put. */
  readonly notices = new Map<string, Notice>();
  /** The audit log, oldest first. */
  audit: AuditEntry[] = [];
  frameworkId: string | null = null;
  private readonly keys = new Set<string>();

  write(ops: StoreOp[]): { accepted: string[]; refused: string[] } {
    const accepted: string[] = [];
    const refused: string[] = [];
    for (const op of ops) {
      switch (op.op) {
        case 'put-job':
          this.jobs.set(op.job.spec.name, structuredClone(op.job));
          break;
        case 'delete-job':
          this.jobs.delete(op.name);
          for (const run of [...this.runs.values()]) if (run.job === op.name) this.removeRun(run);
          break;
        case 'set-cursor': {
          const job = this.jobs.get(op.job);
          if (job) job.cursor = op.cursor;
          break;
        }
        case 'claim-run':
          if (this.runs.has(op.run.id) || this.keys.has(keyOf(op.run.job, op.run.key))) {
            refused.push(op.run.id);
          } else {
            this.insertRun(op.run);
            accepted.push(op.run.id);
          }
          break;
        case 'update-run':
          if (this.runs.has(op.run.id)) this.runs.set(op.run.id, structuredClone(op.run));
          break;
        case 'blacklist-agent':
          this.blacklist.set(op.agent, { agent: op.agent, reason: op.reason, since: op.since });
          break;
        case 'unblacklist-agent':
          this.blacklist.delete(op.agent);
          break;
        case 'put-meta':
          if (op.key === FRAMEWORK_ID_META) this.frameworkId = op.value || null;
          break;
        case 'set-progress': {
          const job = this.jobs.get(op.job);
          if (job) job.progress = structuredClone(op.progress);
          break;
        }
        case 'put-owner':
          this.owners.set(op.owner.spec.name, structuredClone({ ...op.owner, createdAt: this.owners.get(op.owner.spec.name)?.createdAt ?? op.owner.createdAt }));
          break;
        case 'delete-owner':
          this.owners.delete(op.name);
          break;
        case 'put-notice':
          if (!this.notices.has(op.notice.id)) this.notices.set(op.notice.id, structuredClone(op.notice));
          break;
        case 'delete-notice':
          this.notices.delete(op.id);
          break;
        case 'put-audit':
          if (!this.audit.some((e) => e.id === op.entry.id)) this.audit.push(structuredClone(op.entry));
          break;
        case 'prune-audit':
          this.audit = this.audit.filter((e) => e.at >= op.before);
          break;
        case 'prune-runs': {
          const finished = [...this.runs.values()].filter((r) => r.job === op.job && isTerminal(r.status)).sort(byTime).reverse();
          finished.forEach((r, i) => {
            if (i >= op.keep || (r.finishedAt !== null && r.finishedAt < op.now - op.maxAgeMs)) this.removeRun(r);
          });
          break;
        }
      }
    }
    return { accepted, refused };
  }

  /** Put a run in directly, as another (earlier) scheduler would have. */
  insertRun(run: Run): void {
    this.runs.set(run.id, structuredClone(run));
    this.keys.add(keyOf(run.job, run.key));
  }

  private removeRun(run: Run): void {
    this.runs.delete(run.id);
    this.keys.delete(keyOf(run.job, run.key));
  }

  run(id: string): Run {
    const run = this.runs.get(id);
    assert.ok(run, `no run ${id} in the store`);
    return structuredClone(run);
  }

  /** A job's runs, oldest occurrence first. */
  runsOf(job: string): Run[] {
    return [...this.runs.values()].filter((r) => r.job === job).sort(byTime).map((r) => structuredClone(r));
  }

  /** What the real store's loadState() returns. */
  loadState(): { jobs: StoredJob[]; activeRuns: Run[] } {
    return {
      jobs: [...this.jobs.values()].sort((a, b) => (a.spec.name < b.spec.name ? -1 : 1)).map((j) => structuredClone(j)),
      activeRuns: [...this.runs.values()].filter((r) => !isTerminal(r.status)).sort(byTime).map((r) => structuredClone(r)),
    };
  }
}

// ---------------------------------------------------------------------------------------
// the shell

type WithoutNow<M> = M extends unknown ? Omit<M, 'now'> : never;
export type Input = WithoutNow<Exclude<Message, { type: 'boot' }>>;

/** How the fake backend plays a launched run, or null to leave it to the test. */
export type AutoRun = (run: Run) => { startAfterMs?: number; durationMs: number; exitCode?: number } | null;

export interface FakeSchedulerOptions {
  /** ISO time of the first boot. */
  start: string;
  agent?: Partial<Resources>;
  /** Attributes of the local agent (besides hostname "agent-1"), for constraints. */
  attributes?: Record<string, string>;
  /** The local host's OS users, for jobs' `user`; absent: not checked. */
  users?: HostUsers;
  /** What the local host enforces of a run's resources; absent: not said. */
  isolation?: Isolation;
  /** The backend places runs itself (Mesos offers): no capacity accounting, these agents. */
  offers?: { agents: string[] };
  config?: Partial<SchedulerConfig>;
  /** A store with jobs and runs already in it (the first boot loads them). */
  store?: FakeStore;
  autoRun?: AutoRun;
}

export interface Handled {
  now: Millis;
  message: Message;
  effects: Effect[];
}

interface BackendEvent {
  at: Millis;
  seq: number;
  message: Input;
}

export class FakeScheduler {
  readonly store: FakeStore;
  state!: SchedulerState;
  now: Millis;
  /** The wake-up time last asked for with set-timer. */
  armedAt: Millis | null = null;
  /** Every message handled and its effects, in order, across restarts. */
  readonly handled: Handled[] = [];
  readonly launches: Run[] = [];
  readonly kills: Extract<Effect, { type: 'kill' }>[] = [];
  readonly reattaches: Run[] = [];
  readonly prunes: Extract<StoreOp, { op: 'prune-runs' }>[] = [];
  readonly published: SchedulerEvent[] = [];
  readonly replies = new Map<number, CommandResult>();
  autoRun: AutoRun | null;

  private readonly agent: Resources;
  private readonly attributes: Record<string, string>;
  private readonly users: HostUsers | undefined;
  private readonly isolation: Isolation | undefined;
  private readonly offers: { agents: string[] } | null;
  private readonly config: Partial<SchedulerConfig>;
  private boots = 0;
  private nextRequestId = 1;
  private backendSeq = 0;
  private backendEvents: BackendEvent[] = [];

  constructor(options: FakeSchedulerOptions) {
    this.store = options.store ?? new FakeStore();
    this.now = at(options.start);
    this.agent = { cpus: 4, mem: 8192, disk: 100_000, gpus: 0, ...options.agent };
    this.attributes = options.attributes ?? {};
    this.users = options.users;
    this.isolation = options.isolation;
    this.offers = options.offers ?? null;
    this.config = options.config ?? {};
    this.autoRun = options.autoRun ?? null;
    this.boot();
  }

  /** Stop this scheduler and start a new one at `when` from what the store holds, as the server does. */
  restart(when: string | Millis): Effect[] {
    this.setClock(when);
    this.armedAt = null;
    this.backendEvents = [];
    return this.boot();
  }

  private boot(): Effect[] {
    this.boots += 1;
    this.state = initialState(this.config);
    const { jobs, activeRuns } = this.store.loadState();
    const agent = { id: 'agent-1', resources: { ...this.agent }, attributes: { hostname: 'agent-1', ...this.attributes }, ...(this.users ? { users: this.users } : {}), ...(this.isolation ? { isolation: this.isolation } : {}) };
    const placement = this.offers
      ? { backend: 'mesos' as const, capacity: null, agents: this.offers.agents }
      : { backend: 'local' as const, capacity: agent, agents: [agent.id] };
    const { blacklist, frameworkId, owners, notices } = this.store;
    return this.deliver({
      type: 'boot',
      now: this.now,
      jobs,
      activeRuns,
      ...placement,
      blacklist: [...blacklist.values()],
      frameworkId,
      owners: [...owners.values()],
      notices: [...notices.values()],
      idPrefix: `b${this.boots}-`,
    });
  }

  /** Handle one message now; returns its own effects (follow-ups such as `claimed` are recorded too). */
  send(input: Input): Effect[] {
    return this.deliver({ ...input, now: this.now } as Message);
  }

  tick(when?: string | Millis): Effect[] {
    if (when !== undefined) this.setClock(when);
    return this.send({ type: 'tick' });
  }

  /** Run an API command and return its reply. */
  command<C extends Command>(command: C, actor: Actor = systemActor('test')): CommandResult<C['kind']> {
    const requestId = this.nextRequestId++;
    this.send({ type: 'command', requestId, command, actor });
    const result = this.replies.get(requestId);
    assert.ok(result, `no reply to ${command.kind}`);
    return result as CommandResult<C['kind']>;
  }

  putJobs(...specs: JobSpec[]): CommandResult<'put-jobs'> {
    return this.command({ kind: 'put-jobs', specs });
  }

  started(runId: string, taskId: string | null = `task-${runId}`): Effect[] {
    // The backend reports where the run landed: its pinned agent, or the one agent here.
    const agent = this.state.runs.get(runId)?.agent ?? 'agent-1';
    return this.send({ type: 'run-started', runId, agent, taskId });
  }

  exited(runId: string, exitCode: number | null, signal: string | null = null): Effect[] {
    return this.send({ type: 'run-exited', runId, exitCode, signal });
  }

  /** Move the clock to `when`, delivering every tick and backend event due by then, in time order. */
  advanceTo(when: string | Millis): void {
    const target = typeof when === 'string' ? at(when) : when;
    assert.ok(target >= this.now, `cannot go back in time to ${iso(target)}`);
    for (let guard = 0; ; guard++) {
      assert.ok(guard < 1_000_000, 'advanceTo does not settle');
      const event = this.backendEvents[0];
      const timer = this.armedAt;
      const eventAt = event && event.at <= target ? event.at : Infinity;
      const timerAt = timer !== null && timer <= target ? Math.max(timer, this.now) : Infinity;
      if (eventAt === Infinity && timerAt === Infinity) break;
      if (eventAt <= timerAt) {
        this.backendEvents.shift();
        this.now = Math.max(this.now, eventAt);
        this.send(event!.message);
      } else {
        this.tick(timerAt);
      }
    }
    this.now = target;
  }

  advance(ms: Millis): void {
    this.advanceTo(this.now + ms);
  }

  /** Effects of every message handled after `mark` (from `mark()`). */
  mark(): number {
    return this.handled.length;
  }

  effectsSince(mark: number): Effect[] {
    return this.handled.slice(mark).flatMap((h) => h.effects);
  }

  launchesOf(job: string): Run[] {
    return this.launches.filter((r) => r.job === job);
  }

  private setClock(when: string | Millis): void {
    const t = typeof when === 'string' ? at(when) : when;
    assert.ok(t >= this.now, `cannot go back in time to ${iso(t)}`);
    this.now = t;
  }

  private deliver(message: Message): Effect[] {
    const [, effects] = update(this.state, message);
    this.handled.push({ now: this.now, message, effects });
    this.carryOut(effects);
    return effects;
  }

  /** What the loop and interpreter do: store writes first, then the rest, then the `claimed` answer. */
  private carryOut(effects: Effect[]): void {
    const ops = storeOps(effects);
    for (const op of ops) if (op.op === 'prune-runs') this.prunes.push(structuredClone(op));
    const { accepted, refused } = ops.length > 0 ? this.store.write(ops) : { accepted: [], refused: [] };
    for (const effect of effects) {
      switch (effect.type) {
        case 'launch':
          this.launches.push(structuredClone(effect.run));
          this.play(effect.run);
          break;
        case 'kill':
          this.kills.push(structuredClone(effect));
          break;
        case 'reattach':
          this.reattaches.push(structuredClone(effect.run));
          break;
        case 'set-timer':
          this.armedAt = effect.at;
          break;
        case 'reply':
          this.replies.set(effect.requestId, effect.result);
          break;
        case 'publish':
          this.published.push(structuredClone(effect.event));
          break;
        default:
          break;
      }
    }
    if (accepted.length > 0 || refused.length > 0) this.send({ type: 'claimed', accepted, refused });
  }

  private play(run: Run): void {
    const plan = this.autoRun?.(run);
    if (!plan) return;
    const startAt = this.now + (plan.startAfterMs ?? 0);
    this.schedule(startAt, { type: 'run-started', runId: run.id, agent: 'agent-1', taskId: `task-${run.id}` });
    this.schedule(startAt + plan.durationMs, { type: 'run-exited', runId: run.id, exitCode: plan.exitCode ?? 0, signal: null });
  }

  private schedule(when: Millis, message: Input): void {
    this.backendEvents.push({ at: when, seq: this.backendSeq++, message });
    this.backendEvents.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }
}
