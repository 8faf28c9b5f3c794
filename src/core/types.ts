/**
 * The central vocabulary of moroccron: jobs, runs, messages into the loop and the
 * effects it asks the shell to carry out. Every time is epoch milliseconds (UTC).
 *
 * Glossary (docs/architecture.md has the long form): an *occurrence* is one scheduled time
 * of a job, `(job, key)`; a *run* is one attempt at it; a *claim* stores the run before
 * anything is launched, and the store refuses a second claim of a key; a job's *cursor* is
 * the last occurrence dealt with; the *epoch* numbers a term of leadership, and *fencing*
 * refuses writes of an older one; *messages* go into update(), *effects* come out as data,
 * and the *shell* (loop, interpreters, backends) carries them out without deciding anything.
 */
import type { JobSpec } from './job-spec.js';
import type { OwnerSpec, StoredOwner } from './owner-spec.js';

export type { JobSpec } from './job-spec.js';
export type { OwnerSpec, StoredOwner } from './owner-spec.js';

export type Millis = number;

export type RunStatus =
  | 'waiting' // claimed durably; a time-gated occurrence waiting for its parents to succeed
  | 'queued' // claimed durably; waiting for its time (retries) or for capacity
  | 'launching' // handed to the backend; not yet confirmed running
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'killed'
  | 'lost'
  | 'skipped';

export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set([
  'succeeded',
  'failed',
  'killed',
  'lost',
  'skipped',
]);

export const isTerminal = (status: RunStatus): boolean => TERMINAL_STATUSES.has(status);

export type RunTrigger = 'schedule' | 'manual' | 'retry' | 'dependency' | 'trigger';

export interface Run {
  id: string;
  job: string;
  /** Idempotency key, unique per job: `s:<scheduledAt>` for schedule occurrences, etc. */
  key: string;
  trigger: RunTrigger;
  /** The occurrence this run stands for; for a retry, when the retry is due. */
  scheduledAt: Millis;
  claimedAt: Millis;
  startedAt: Millis | null;
  finishedAt: Millis | null;
  attempt: number;
  status: RunStatus;
  exitCode: number | null;
  reason: string | null;
  agent: string | null;
  taskId: string | null;
  /** The first attempt's id, shared by all its retries. */
  rootId: string;
  /** Deadline for a timeout kill, set when the run starts. */
  deadline: Millis | null;
  /** Why the run is being killed, when a kill is in flight. */
  killReason: string | null;
  /** The job's labels when the run was claimed (Mesos task labels too). */
  labels: Record<string, string>;
  /** The run ids that made this one: its parents' successes (dependency), or the run that triggered it. */
  causes: string[];
  /** A `late` notice went out for it (its SLA was missed): sent once, resolved when it ends. */
  late: boolean;
  /** What the run used, where its agent measures it (the local backend with cgroups); null: not measured. */
  usage: RunUsage | null;
}

export interface RunUsage {
  /** CPU time of the run and everything it started. */
  cpuSeconds: number;
  /** The most memory it held at once, in bytes; null where the kernel does not keep it. */
  peakMemoryBytes: number | null;
}

export const skewOf = (run: Pick<Run, 'startedAt' | 'scheduledAt'>): number | null =>
  run.startedAt === null ? null : run.startedAt - run.scheduledAt;

/** A job as stored: its spec plus the scheduler's durable cursor and progress. */
export interface StoredJob {
  spec: JobSpec;
  /** The last occurrence the scheduler has dealt with (claimed or skipped); null before the first. */
  cursor: Millis | null;
  createdAt: Millis;
  updatedAt: Millis;
  progress: JobProgress;
}

/**
 * What dependencies and notices need to know of a job's past, kept with the job and written in
 * the same transaction as the run that changes it.
 */
export interface JobProgress {
  /** Its latest succeeded run: what its children wait for. */
  lastSuccess: { runId: string; finishedAt: Millis } | null;
  /** How its latest finished run (after its retries) ended: a failure blocks the children; a success after one is a recovery. */
  lastOutcome: { runId: string; status: 'succeeded' | 'failed'; finishedAt: Millis } | null;
  /** Per parent, the success its latest dependency-released run consumed. */
  consumed: Record<string, string>;
}

export const NO_PROGRESS: JobProgress = { lastSuccess: null, lastOutcome: null, consumed: {} };

export interface Resources {
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
}

// ---------------------------------------------------------------------------
// Messages: everything that happens becomes one of these, handled one at a time.

export type Message =
  | {
      type: 'boot';
      now: Millis;
      jobs: StoredJob[];
      activeRuns: Run[];
      /** Which backend carries out launches: what it can run and how runs are placed. */
      backend: BackendKind;
      /**
       * The one agent whose resources the scheduler accounts for itself (local backend); null
       * when the backend places runs (Mesos offers).
       */
      capacity: AgentInfo | null;
      /** Agents seen so far: where every-agent jobs fan out to (less the blacklist). */
      agents: string[];
      blacklist: BlacklistEntry[];
      /** The Mesos framework ID the store holds, if any. */
      frameworkId: string | null;
      owners: StoredOwner[];
      /** The outbox: notices decided and not yet delivered (a dead leader's included). */
      notices: Notice[];
      idPrefix: string;
    }
  /** The agents the backend can place runs on changed (seen, gone). */
  | { type: 'agents'; now: Millis; agents: string[] }
  /** The backend subscribed as (or lost) a Mesos framework: the ID must be durable before it is used. */
  | { type: 'framework-id'; now: Millis; frameworkId: string | null }
  | { type: 'tick'; now: Millis }
  | { type: 'command'; now: Millis; requestId: number; command: Command; actor: Actor }
  | { type: 'claimed'; now: Millis; accepted: string[]; refused: string[] }
  /** The backend chose the run's agent (a Mesos offer); stored, so a new leader knows where to look. */
  | { type: 'run-placed'; now: Millis; runId: string; agent: string; taskId: string }
  | { type: 'run-started'; now: Millis; runId: string; agent: string; taskId: string | null }
  /** `reason` says how it ended when neither an exit code nor a signal does (e.g. Mesos' own words). */
  | {
      type: 'run-exited';
      now: Millis;
      runId: string;
      exitCode: number | null;
      signal: string | null;
      reason?: string;
      taskId?: string | null;
      usage?: RunUsage;
      /** The kernel killed within the run for its memory limit, of this many MiB. */
      memoryLimitMiB?: number;
    }
  | { type: 'run-lost'; now: Millis; runId: string; reason: string }
  /**
   * The run may still be running where nobody can see it: its agent is cut off (a network
   * partition; `since` is when the master lost it), or the master does not know the task
   * (TASK_UNKNOWN after a master restart; `since` is when that was first heard).
   */
  | { type: 'run-unreachable'; now: Millis; runId: string; agent: string; since: Millis; why?: string; taskId?: string | null }
  /** The backend found no trace of a run marked launching: it never started. */
  | { type: 'run-not-started'; now: Millis; runId: string }
  | { type: 'launch-failed'; now: Millis; runId: string; reason: string }
  /** The notifier delivered a notice (or gave it up for good): it leaves the outbox. */
  | { type: 'notice-done'; now: Millis; noticeId: string };

export type BackendKind = 'local' | 'mesos';

/** Where the store keeps the Mesos framework ID (a `put-meta` key). */
export const FRAMEWORK_ID_META = 'mesos.frameworkId';

export type Command =
  /** Create or replace jobs by name, all or none. */
  | { kind: 'put-jobs'; specs: JobSpec[] }
  /** `force`: also when other jobs depend on it; they lose the reference. */
  | { kind: 'delete-job'; name: string; force?: boolean }
  | { kind: 'run-job'; name: string }
  | { kind: 'pause-job'; name: string }
  | { kind: 'resume-job'; name: string }
  | { kind: 'kill-run'; runId: string }
  | { kind: 'blacklist-agent'; agent: string; reason: string }
  | { kind: 'unblacklist-agent'; agent: string }
  /** Mesos TEARDOWN, confirmed by naming the current framework ID. */
  | { kind: 'teardown'; frameworkId: string }
  /** Create or replace owners by name, all or none. */
  | { kind: 'put-owners'; specs: OwnerSpec[] }
  | { kind: 'delete-owner'; name: string }
  /** A test notice for each channel of an owner: decided here, sent at once by the caller (not through the outbox). */
  | { kind: 'test-notices'; owner: string };

/** A job as the API shows it: what is stored, plus when it next runs and what is active. */
export interface JobView {
  job: StoredJob;
  nextDue: Millis | null;
  activeRuns: string[];
}

/** What each command answers with when it succeeds. */
export interface CommandValues {
  'put-jobs': JobView[];
  /** `changed`: jobs that lost their reference to it (?force=true). */
  'delete-job': { deleted: string; changed: string[] };
  'run-job': Run;
  'pause-job': JobView;
  'resume-job': JobView;
  'kill-run': Run;
  'blacklist-agent': BlacklistEntry[];
  'unblacklist-agent': BlacklistEntry[];
  teardown: { tornDown: string };
  'put-owners': StoredOwner[];
  'delete-owner': { deleted: string };
  'test-notices': Notice[];
}

export type CommandKind = Command['kind'];

export interface CommandFailure {
  ok: false;
  status: 400 | 403 | 404 | 409;
  code: string;
  message: string;
  details?: { field: string; message: string }[];
}

export type CommandResult<K extends CommandKind = CommandKind> =
  | { [Kind in K]: { ok: true; kind: Kind; value: CommandValues[Kind]; created?: boolean } }[K]
  | CommandFailure;

export interface AgentInfo {
  id: string;
  resources: Resources;
  /** What placement constraints match: the agent's attributes, `hostname` included. */
  attributes: Record<string, string>;
  /** Which OS users jobs may run as there (the local backend's host); absent: the agent decides (Mesos). */
  users?: HostUsers;
  /** What the agent enforces of a run's resources (the local backend's host); absent: not known. */
  isolation?: Isolation;
}

/** How runs are held to their resources on an agent. */
export interface Isolation {
  /**
   * `cgroups-v2`, `cgroups-v1`: each run in cgroups of its own, with memory, CPU and task
   * limits; `none`: resources are only counted; `mesos`: a Mesos agent, whose isolators enforce them.
   */
  mode: 'cgroups-v2' | 'cgroups-v1' | 'none' | 'mesos';
  /** Why there is none (cgroups not writable, or --isolation none). */
  why: string | null;
  /** A Mesos agent's --isolation (e.g. cgroups/cpu, cgroups/mem), as its /flags says. */
  isolators?: string[];
  /** A Mesos agent's --containerizers (mesos, docker). */
  containerizers?: string[];
  /** The local backend: what runs jobs' container images, or why nothing does. */
  containers?: ContainerRuntimeFacts;
}

export type ContainerRuntimeFacts = { runtime: 'podman' | 'docker'; version: string } | { runtime: null; why: string };

/** The OS users of the local backend's host, as the backend found them at start. */
export interface HostUsers {
  /** The user the server runs as: a job may always name it. */
  self: string;
  /** Why jobs cannot run as any other user (the server is not root, or has no setpriv); null: they can. */
  cannotSwitch: string | null;
  /** The user names the host knows (its passwd database at start). */
  known: string[];
}

export interface BlacklistEntry {
  agent: string;
  reason: string;
  since: Millis;
}

// ---------------------------------------------------------------------------
// Effects: what update() asks the shell to do. Store effects of one batch commit in one
// transaction before any other effect of that batch is carried out.

export type StoreOp =
  | { op: 'put-job'; job: StoredJob }
  | { op: 'delete-job'; name: string }
  | { op: 'set-cursor'; job: string; cursor: Millis }
  /** Insert the run unless its (job, key) is taken; the answer comes back as a `claimed` message. */
  | { op: 'claim-run'; run: Run }
  /** The run's new state. Its identity (id, job, key, scheduledAt) never changes: a store may leave it unwritten. */
  | { op: 'update-run'; run: Run }
  /** Small named values the backends keep (e.g. the Mesos framework ID). */
  | { op: 'put-meta'; key: string; value: string }
  | { op: 'blacklist-agent'; agent: string; reason: string; since: Millis }
  | { op: 'unblacklist-agent'; agent: string }
  /**
   * Remove the job's finished runs beyond `keep` (newest scheduled first) or finished before
   * `now - maxAgeMs`; their IDs come back in the write's removedRunIds.
   */
  | { op: 'prune-runs'; job: string; keep: number; maxAgeMs: Millis; now: Millis }
  /** The job's progress (see JobProgress); unknown jobs are ignored, like set-cursor. */
  | { op: 'set-progress'; job: string; progress: JobProgress }
  | { op: 'put-owner'; owner: StoredOwner }
  | { op: 'delete-owner'; name: string }
  /** A notice joins the outbox, in the same transaction as what caused it. */
  | { op: 'put-notice'; notice: Notice }
  /** Delivered (or given up): it leaves the outbox. Unknown ids are ignored. */
  | { op: 'delete-notice'; id: string }
  /** A line of the audit log, in the same transaction as the change it records. */
  | { op: 'put-audit'; entry: AuditEntry }
  /** Audit entries from before `before` go, like run history past its age. */
  | { op: 'prune-audit'; before: Millis };

/**
 * Tokens and audit entries written outside the scheduler's fenced batches: by any member (the
 * tokens API), or by `moroccron token` with no server running. Neither is scheduler state.
 */
export type AccessOp = { op: 'put-token'; token: StoredToken } | { op: 'put-audit'; entry: AuditEntry };

// ---------------------------------------------------------------------------------------
// Access: tokens, roles, the audit log

/** viewer reads; operator also changes the jobs of its owners; admin does everything. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who asks: a token's holder, or `anonymous` (an admin) when authentication is off. */
export interface Actor {
  tokenId: string | null;
  name: string;
  role: Role;
  /** An operator acts for these owners only. */
  owners: string[];
  /** The client's address as the server saw it. */
  address: string | null;
}

export interface StoredToken {
  /** Public: the lookup key, shown in lists and the audit log. */
  id: string;
  name: string;
  role: Role;
  owners: string[];
  /** `scrypt$N$r$p$<salt>$<hash>` (base64url) of the secret part; the token itself is never stored. */
  secretHash: string;
  createdAt: Millis;
  expiresAt: Millis | null;
  revokedAt: Millis | null;
  /** The name of the actor that made it (`moroccron token` offline: `local:<user>`). */
  createdBy: string;
}

export interface AuditEntry {
  /** Unique; entries list newest first by (at, id). */
  id: string;
  at: Millis;
  actor: Pick<Actor, 'tokenId' | 'name' | 'role' | 'address'>;
  /** A command kind (`put-jobs`, `kill-run`, …) or `create-token`, `revoke-token`. */
  action: string;
  /** What it acted on: job names, a run id, an owner, an agent, a token id. */
  targets: string[];
  outcome: 'done' | 'refused';
  /** The HTTP status it was answered with. */
  status: number;
  /** Why it was refused; null when done. */
  detail: string | null;
}

export type Effect =
  | { type: 'store'; ops: StoreOp[] }
  | { type: 'launch'; run: Run; spec: JobSpec }
  | { type: 'kill'; run: Run; gracePeriodMs: Millis; reason: string }
  /** A task whose run has already ended reports that it runs: it must not run on. */
  | { type: 'kill-stray'; runId: string; taskId: string | null; agent: string | null; reason: string }
  /** Agents no run may be placed on (launches in flight included). */
  | { type: 'set-blacklist'; agents: string[] }
  /** Mesos TEARDOWN: the master kills every task and forgets the framework. */
  | { type: 'teardown' }
  /** Hand notices to the notifier; each is already in the outbox (committed first). */
  | { type: 'deliver-notices'; notices: Notice[] }
  /** Ask the backend what became of a run that was launching or running before a restart. */
  | { type: 'reattach'; run: Run; spec: JobSpec | null }
  | { type: 'set-timer'; at: Millis | null }
  | { type: 'reply'; requestId: number; result: CommandResult }
  | { type: 'publish'; event: SchedulerEvent }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> };

export type SchedulerEvent =
  | { kind: 'job'; action: 'put' | 'deleted' | 'paused' | 'resumed'; job: string }
  | { kind: 'run'; run: Run };

// ---------------------------------------------------------------------------
// Notices: decided in update(), stored in the outbox with what caused them, delivered off
// the loop by the notifier, which retries until they land.

export type NoticeKind = 'failure' | 'retriesExhausted' | 'recovery' | 'late' | 'success' | 'test';

/** Where one notice goes; fixed when it is decided, so later owner changes do not move it. */
export type NoticeTarget =
  | { channel: 'email'; to: string[] }
  /** `dedupKey`: one incident per job (failure, resolved by a recovery) or per late run. */
  | { channel: 'pagerduty'; routingKey: string; action: 'trigger' | 'resolve'; dedupKey: string }
  | { channel: 'slack'; url: string }
  | { channel: 'webhook'; url: string; secret: string | null };

/** What a notice says: everything a channel renders. */
export interface NoticeFacts {
  kind: NoticeKind;
  job: string;
  /** The owner it is for; null for a job's own trigger webhooks. */
  owner: string | null;
  run: Pick<Run, 'id' | 'attempt' | 'status' | 'trigger' | 'exitCode' | 'reason' | 'agent' | 'scheduledAt' | 'startedAt' | 'finishedAt'> | null;
  /** Jobs now waiting on this one because it failed: its pending subtree, nearest first. */
  waiting: string[];
  /** For `late`: which promise was broken. */
  sla: { rule: 'lateAfter' | 'maxDuration'; limitMs: Millis } | null;
  /** When it was decided. */
  at: Millis;
}

export interface Notice {
  /** Unique, and the idempotency key a receiver sees: a resend after an ambiguous failure is harmless. */
  id: string;
  target: NoticeTarget;
  facts: NoticeFacts;
}
