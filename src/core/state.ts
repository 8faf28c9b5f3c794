/**
 * The scheduler's in-memory state. The loop owns the only reference; update() changes it
 * in place (so a tick costs O(runs due), not a copy of every job) and is otherwise pure:
 * no clock, no timers, no I/O.
 */
import { DEFAULT_ENV_REDACTION, type EnvRedaction } from './env-redaction.js';
import { MinHeap } from './min-heap.js';
import { parseDuration } from './duration.js';
import { runsAllowedAtOnce } from './host-constraints.js';
import { parseSchedule, type Schedule } from './schedule/index.js';
import { sharingJob } from './spec-sharing.js';
import type { AgentInfo, BackendKind, BlacklistEntry, JobSpec, Millis, Resources, Run, StoredJob, StoredOwner } from './types.js';

export interface SchedulerConfig {
  /** An occurrence late by no more than this is on time (loop lag); beyond it the misfire policy decides. */
  misfireThresholdMs: Millis;
  /** How often finished runs are pruned to each job's history limits. */
  housekeepingIntervalMs: Millis;
  /** History limits for jobs that set none. */
  defaultHistory: { keep: number; maxAgeMs: Millis };
  /**
   * How long a run's agent may stay unreachable before the run counts as lost (and is
   * retried); its task is killed should the agent come back.
   */
  unreachableTimeoutMs: Millis;
  /** Whether this server can send e-mail (an SMTP server is configured): owners with e-mail need it. */
  emailConfigured: boolean;
  /** Which env values are hidden: a `***` sent back for one of them keeps the stored value. */
  envRedaction: EnvRedaction;
}

export const DEFAULT_CONFIG: SchedulerConfig = {
  misfireThresholdMs: 5_000,
  housekeepingIntervalMs: 60_000,
  defaultHistory: { keep: 1_000, maxAgeMs: 30 * 24 * 3600_000 },
  unreachableTimeoutMs: 5 * 60_000,
  emailConfigured: false,
  envRedaction: DEFAULT_ENV_REDACTION,
};

/** A job's spec with its durations and schedule parsed once. */
export interface JobEntry {
  stored: StoredJob;
  schedule: Schedule | null;
  timing: JobTiming;
  /** Next occurrence after the cursor; null when paused, unscheduled or finished. */
  nextDue: Millis | null;
  /** Runs of this job that are not terminal, including claims in flight (change it with addActive/removeActive). */
  active: ReadonlySet<string>;
  /** How many runs of the job may go at once on the local agent (its UNIQUE/MAX_PER constraints). */
  runsAtOnceHere: number;
  /** What a search of the job list looks through, made on the first search (job-page.ts). */
  searchText?: string;
  labelText?: string;
}

export interface JobTiming {
  misfireWindowMs: Millis;
  timeoutMs: Millis | null;
  killGraceMs: Millis;
  /** SLA: late when not started this long after its scheduled time / still running this long. */
  lateAfterMs: Millis | null;
  maxDurationMs: Millis | null;
  backoffMs: Millis;
  maxBackoffMs: Millis;
}

export type TimerEntry =
  | { at: Millis; kind: 'job'; job: string }
  | { at: Millis; kind: 'run-due'; runId: string }
  | { at: Millis; kind: 'deadline'; runId: string }
  | { at: Millis; kind: 'unreachable'; runId: string; since: Millis }
  /** A time-gated run still waiting for its parents when its misfire window closes is skipped. */
  | { at: Millis; kind: 'wait-expiry'; runId: string }
  /** SLA: not started within `lateAfter` of its time, or still running after `maxDuration`. */
  | { at: Millis; kind: 'sla'; runId: string; rule: 'lateAfter' | 'maxDuration' }
  | { at: Millis; kind: 'housekeeping' };

export interface SchedulerState {
  config: SchedulerConfig;
  now: Millis;
  booted: boolean;
  /** When the boot message came: occurrences due before it were missed while no scheduler ran. */
  bootedAt: Millis;
  idPrefix: string;
  seq: number;
  backend: BackendKind;
  /** The agent whose capacity runs wait for; null when the backend places runs. */
  capacity: AgentInfo | null;
  /** Agents the backend reported; every-agent jobs fan out to those not blacklisted. */
  agents: string[];
  blacklist: Map<string, BlacklistEntry>;
  /** The Mesos framework ID as stored (null before the first subscription, or after a teardown). */
  frameworkId: string | null;
  owners: Map<string, StoredOwner>;
  /** Each job's children along `after` edges (kept in step with the jobs). */
  children: Map<string, string[]>;
  /** Notices in the outbox, by id: handed to the notifier, not yet delivered. */
  outbox: Set<string>;
  used: Resources;
  jobs: Map<string, JobEntry>;
  /** The values of `jobs` by ascending name (job-order.ts). */
  jobOrder: JobEntry[];
  /** Non-terminal runs, claimed or being claimed. */
  runs: Map<string, Run>;
  /** Claims sent to the store and not yet answered (skipped runs too). */
  claiming: Map<string, Run>;
  /** Resources held by launched runs, as they were when launched. */
  allocated: Map<string, Resources>;
  /** Due runs waiting for capacity, best first: priority, then scheduled time. */
  waiting: string[];
  /** The ids in `waiting`, with the resources each was counted under in `waitingNeeds`. */
  inLine: Map<string, string>;
  /**
   * How many runs in line need each set of resources (by needKey). place() stops its pass
   * once what is free fits none of them: in a burst on a full host, thousands wait, and
   * every run that ends would otherwise have it look at all of them.
   */
  waitingNeeds: Map<string, { need: Resources; count: number }>;
  /** Runs that joined the line since place()'s last pass; it looks at these first (one too big for the agent fails at once). */
  joinedLine: string[];
  /**
   * Counts what may let a waiting run in (a run joined the line, one ended or gave back its
   * resources, a job or the capacity changed). place() skips its pass over the line when
   * nothing did since its last one: in a burst thousands wait, and every message would scan them.
   */
  placementChanges: number;
  placedAtChange: number;
  timers: MinHeap<TimerEntry>;
  /** The wake-up time last asked of the shell. */
  armedAt: Millis | null;
  /** Jobs with runs finished since the last prune. */
  toPrune: Set<string>;
  /** Runs whose agent is unreachable, and since when. */
  unreachable: Map<string, Millis>;
}

export const NO_RESOURCES: Resources = { cpus: 0, mem: 0, disk: 0, gpus: 0 };

export function initialState(config: Partial<SchedulerConfig> = {}): SchedulerState {
  return {
    config: { ...DEFAULT_CONFIG, ...config },
    now: 0,
    booted: false,
    bootedAt: 0,
    idPrefix: '',
    seq: 0,
    backend: 'local',
    capacity: null,
    agents: [],
    blacklist: new Map(),
    frameworkId: null,
    owners: new Map(),
    children: new Map(),
    outbox: new Set(),
    used: { ...NO_RESOURCES },
    jobs: new Map(),
    jobOrder: [],
    runs: new Map(),
    claiming: new Map(),
    allocated: new Map(),
    waiting: [],
    inLine: new Map(),
    waitingNeeds: new Map(),
    joinedLine: [],
    placementChanges: 0,
    placedAtChange: -1,
    timers: new MinHeap(),
    armedAt: null,
    toPrune: new Set(),
    unreachable: new Map(),
  };
}

/** Durations as written ("1h", "30s"), parsed: a few distinct ones among many jobs, each parsed once. */
const parsedDurations = new Map<string | number, Millis | null>();
const PARSED_DURATIONS = 4096;

const durationMs = (value: string | number | undefined, fallback: Millis): Millis => {
  if (value === undefined) return fallback;
  let ms = parsedDurations.get(value);
  if (ms === undefined) {
    const parsed = parseDuration(value);
    ms = parsed.ok ? parsed.ms : null;
    if (parsedDurations.size < PARSED_DURATIONS) parsedDurations.set(value, ms);
  }
  return ms ?? fallback;
};

/** Most jobs have no run going: they share this empty set instead of holding one each. */
const NO_RUNS: ReadonlySet<string> = new Set();

export function addActive(entry: JobEntry, runId: string): void {
  if (entry.active === NO_RUNS) entry.active = new Set([runId]);
  else (entry.active as Set<string>).add(runId);
}

export function removeActive(entry: JobEntry, runId: string): void {
  if (!entry.active.has(runId)) return;
  (entry.active as Set<string>).delete(runId);
  if (entry.active.size === 0) entry.active = NO_RUNS;
}

export function jobEntry(given: StoredJob, active: ReadonlySet<string> = NO_RUNS): JobEntry {
  const stored = sharingJob(given);
  const spec = stored.spec;
  return {
    stored,
    schedule: spec.schedule === undefined ? null : parseSchedule(spec.schedule, { timezone: spec.timezone, dst: spec.dst }),
    timing: timingOf(spec),
    nextDue: null,
    active,
    runsAtOnceHere: runsAllowedAtOnce(spec),
  };
}

export function timingOf(spec: JobSpec): JobTiming {
  return {
    misfireWindowMs: durationMs(spec.misfire.window, 3600_000),
    timeoutMs: spec.timeout === undefined ? null : durationMs(spec.timeout, 0),
    lateAfterMs: spec.sla?.lateAfter === undefined ? null : durationMs(spec.sla.lateAfter, 0),
    maxDurationMs: spec.sla?.maxDuration === undefined ? null : durationMs(spec.sla.maxDuration, 0),
    killGraceMs: durationMs(spec.killGracePeriod, 10_000),
    backoffMs: durationMs(spec.retries.backoff, 30_000),
    maxBackoffMs: durationMs(spec.retries.maxBackoff, 3600_000),
  };
}

export function historyOf(spec: JobSpec, config: SchedulerConfig): { keep: number; maxAgeMs: Millis } {
  return {
    keep: spec.history?.keep ?? config.defaultHistory.keep,
    maxAgeMs: durationMs(spec.history?.maxAge, config.defaultHistory.maxAgeMs),
  };
}

/** Where every-agent jobs fan out to: the agents seen, less the blacklisted ones. */
export const eligibleAgents = (s: SchedulerState): string[] => s.agents.filter((a) => !s.blacklist.has(a));
