/**
 * The JSON the API answers, as the UI reads it (see /openapi.json of a running server).
 * Times are ISO 8601 strings in UTC; durations and skews are milliseconds.
 */

export type RunStatus = 'waiting' | 'queued' | 'launching' | 'running' | 'succeeded' | 'failed' | 'killed' | 'lost' | 'skipped';
export type RunTrigger = 'schedule' | 'manual' | 'retry' | 'dependency' | 'trigger';

export const ACTIVE_STATUSES: readonly RunStatus[] = ['waiting', 'queued', 'launching', 'running'];
export const isActiveStatus = (s: RunStatus): boolean => ACTIVE_STATUSES.includes(s);

export interface Resources {
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
}

export type TriggerTarget = string | { url: string; secret?: string };
export type Duration = string | number;

export interface JobSpec {
  name: string;
  description?: string;
  schedule?: string;
  timezone: string;
  dst?: { gap: 'next' | 'skip'; overlap: 'once' | 'twice' };
  command?: string;
  args?: string[];
  env: Record<string, string>;
  container?: { image: string; forcePull: boolean; network: 'host' | 'bridge' | 'none' };
  resources: Resources;
  constraints: string[][];
  placement: 'one' | 'every-agent';
  after: string[];
  concurrency: 'allow' | 'forbid' | 'replace';
  misfire: { policy: 'skip' | 'run-once' | 'run-all'; window: Duration };
  retries: { max: number; backoff: Duration; factor: number; maxBackoff: Duration; jitter: number };
  timeout?: Duration;
  killGracePeriod: Duration;
  owners: string[];
  notify: Record<'onFailure' | 'onSuccess' | 'onRecovery' | 'onRetriesExhausted' | 'onLate', string[]>;
  triggers: { onSuccess: TriggerTarget[]; onFailure: TriggerTarget[] };
  sla?: { lateAfter?: Duration; maxDuration?: Duration };
  history?: { keep?: number; maxAge?: Duration };
  priority: number;
  paused: boolean;
  labels: Record<string, string>;
  user?: string;
}

/** A finished run in `GET /jobs?recent=N`, newest first. */
export interface RecentRun {
  id: string;
  status: RunStatus;
  scheduledAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  skewMs: number | null;
}

/** A job as the API returns it: the spec plus a read-only `state`. */
export interface JobView extends JobSpec {
  state: {
    createdAt: string;
    updatedAt: string;
    cursor: string | null;
    nextRunAt: string | null;
    /** Ids of the job's unfinished runs. */
    activeRuns: string[];
  };
  /** Present when asked for with `?recent=N`. */
  recent?: RecentRun[];
}

export interface Run {
  id: string;
  job: string;
  status: RunStatus;
  trigger: RunTrigger;
  attempt: number;
  scheduledAt: string;
  claimedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  skewMs: number | null;
  durationMs: number | null;
  exitCode: number | null;
  reason: string | null;
  agent: string | null;
  taskId: string | null;
  key: string;
  rootId: string;
  deadline: string | null;
  labels: Record<string, string>;
  causes: string[];
  late: boolean;
  /** What the run used, where its agent measures it (local backend with cgroups). */
  usage: { cpuSeconds: number; peakMemoryBytes: number | null } | null;
}

export interface RunPage {
  runs: Run[];
  nextCursor: string | null;
}

export interface LogChunk {
  data: string;
  offset: number;
  nextOffset: number;
  size: number;
  complete: boolean;
}

export type GraphNodeState = 'ok' | 'running' | 'waiting' | 'blocked-by-failure' | 'failed';
export type GraphEdgeKind = 'after' | 'onSuccess' | 'onFailure';

export interface GraphNode {
  name: string;
  state: GraphNodeState;
}

export interface JobGraph {
  job: GraphNode;
  ancestors: GraphNode[];
  descendants: GraphNode[];
  edges: { from: string; to: string; kind: GraphEdgeKind }[];
}

export type NoticeKind = 'failure' | 'recovery' | 'retriesExhausted' | 'late' | 'success';

export interface Owner {
  name: string;
  email: string[];
  pagerdutyRoutingKey?: string;
  slackWebhook?: string;
  webhook?: string | { url: string; secret?: string };
  notifyOn: NoticeKind[];
  mute: boolean | string;
  optOut: string[];
  state: { createdAt: string; updatedAt: string };
}

/** `POST /owners/{name}/test`: what each channel answered; `reason` only when it failed. */
export interface OwnerTestResult {
  owner: string;
  results: { channel: 'email' | 'pagerduty' | 'slack' | 'webhook'; ok: boolean; reason?: string }[];
}

export interface ClusterMember {
  id: string;
  url: string;
}

export interface ClusterView {
  self: ClusterMember;
  isLeader: boolean;
  leader: ClusterMember | null;
  epoch: number | null;
  members: ClusterMember[];
  backend: 'local' | 'mesos';
  frameworkId: string | null;
  store: string;
  /** How the local backend holds runs to their resources (on the leader), and what runs container images. */
  isolation: { mode: 'cgroups-v2' | 'cgroups-v1' | 'none'; why: string | null; containers?: ContainerRuntime } | null;
}

/** The local backend's container runtime, or why there is none. */
export type ContainerRuntime = { runtime: 'podman' | 'docker'; version: string } | { runtime: null; why: string };

export interface Agent {
  id: string;
  resources: Resources;
  used: Resources;
  attributes: Record<string, string>;
  blacklisted: boolean;
  /** Why and since when, while blacklisted. */
  blacklist: { reason: string; since: string } | null;
  /** What enforces a run's resources there; null: not known (yet). */
  isolation: { mode: 'cgroups-v2' | 'cgroups-v1' | 'none' | 'mesos'; why: string | null; isolators?: string[]; containerizers?: string[] } | null;
}

export interface BlacklistEntry {
  agent: string;
  reason: string;
  since: string;
}

export interface Occurrence {
  /** ISO UTC. */
  at: string;
  /** Wall-clock time in the job's zone, "2026-03-29 02:30:00". */
  local: string;
  /** The zone's offset then, "+02:00". */
  offset: string;
  dst: null | 'gap' | 'overlap';
  /** What the job's DST rule did, e.g. "02:30 does not exist on this day; runs at 03:00". */
  note: string | null;
}

export interface Occurrences {
  job?: string;
  timezone: string;
  dst?: JobSpec['dst'];
  occurrences: Occurrence[];
}

export interface TimelineJob {
  name: string;
  total: number;
  counts: number[];
}

/** `GET /api/v1/timeline`: the sums cover every job; `jobs` is one page of them (with ?limit). */
export interface Timeline {
  from: string;
  to: string;
  bucketMinutes: number;
  /** Runs per bucket, all jobs. */
  totals: number[];
  /** Jobs with runs per bucket, all jobs. */
  jobCounts: number[];
  /** Jobs with runs in the window, all jobs. */
  firing: number;
  /** The most runs one job has in one bucket. */
  maxPerJob: number;
  jobs: TimelineJob[];
  /** Jobs on every page together (those the filters keep). */
  total: number;
  nextCursor: string | null;
}

/** What `/api/v1/events` sends: `event: job` or `event: run`. */
export type SchedulerEvent =
  | { kind: 'job'; action: 'put' | 'deleted' | 'paused' | 'resumed'; job: string }
  | { kind: 'run'; run: Run };

export interface FieldError {
  field: string;
  message: string;
}
