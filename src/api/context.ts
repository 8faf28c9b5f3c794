/**
 * What route handlers can reach: the store for reads, and this member's scheduler when it
 * leads. A standby answers reads itself and sends everything else to the leader.
 */
import type { EnvRedaction } from '../core/env-redaction.js';
import type { Actor, Command, CommandResult, CommandValues } from '../core/types.js';
import type { Member } from '../ha/types.js';
import type { EventBus } from '../server/events.js';
import type { LeaderRuntime } from '../server/leader-runtime.js';
import type { Metrics } from '../server/metrics.js';
import type { Authenticator } from './auth.js';
import type { RateLimit } from './rate-limit.js';
import type { AccessStore, RouteStore } from './route-store.js';
import { ApiError } from './errors.js';

export interface ClusterView {
  self: Member;
  isLeader: boolean;
  leader: Member | null;
  epoch: number | null;
  members: Member[];
  backend: 'local' | 'mesos';
  store: string;
}

export interface ApiContext {
  /** This member's scheduler, or null while another member leads. */
  leader(): LeaderRuntime | null;
  cluster(): Promise<ClusterView>;
  store: RouteStore;
  events: EventBus;
  metrics: Metrics;
  version: string;
  /** Tokens and the audit log (written by any member). */
  access: AccessStore;
  /** Who is asking (tokens, or nobody checked). */
  auth: Authenticator;
  /** /metrics without a token (--metrics-open). */
  metricsOpen: boolean;
  /** Env values whose names match are shown as `***` wherever a job leaves the server. */
  envRedaction: EnvRedaction;
  /** Requests per client and window (see rate-limit.ts); absent or null: no limit. */
  rateLimit?: RateLimit | null;
  /** The address people reach the web UI at (--ui-url): its origin may call the API cross-origin. */
  uiUrl?: string;
  /** The built web UI to serve at `/`; absent: this package's dist/ui. */
  uiDir?: string;
}

/** The answer for a request only the leader can serve, on a member that does not lead. */
export class LeaderElsewhere extends Error {
  constructor(readonly leaderUrl: string | null) {
    super(leaderUrl ? `the leader is ${leaderUrl}` : 'no leader is elected yet; retry shortly');
  }
}

/** The scheduler, or a LeaderElsewhere that the error handler turns into a 307 (or 503 with no leader). */
export async function requireLeader(api: ApiContext): Promise<LeaderRuntime> {
  const runtime = api.leader();
  if (runtime) return runtime;
  // With the shared store unreachable nobody can say who leads: that is "no leader yet" (503), not a server error.
  const leader = await api.cluster().then(
    (view) => view.leader?.url ?? null,
    () => null,
  );
  throw new LeaderElsewhere(leader);
}

/** The value of a successful command, or the ApiError it maps to. */
export function unwrap<K extends Command['kind']>(result: CommandResult<K>): { value: CommandValues[K]; created: boolean } {
  if (!result.ok) throw new ApiError(result.status, result.code, result.message, result.details ?? []);
  return { value: result.value, created: result.created ?? false };
}

/**
 * Run a command on the leader's loop. While the store cannot be written (a full disk, a store
 * that does not answer) the answer is 503 at once: the loop is retrying an earlier write and
 * would hold this one until then.
 */
export async function runCommand<C extends Command>(api: ApiContext, actor: Actor, command: C): Promise<{ value: CommandValues[C['kind']]; created: boolean }> {
  const runtime = await requireLeader(api);
  const health = runtime.loop.health();
  if (!health.ok) {
    throw new ApiError(503, 'store_unavailable', `the store cannot be written (since ${new Date(health.since).toISOString()}: ${health.error}); scheduling waits and resumes by itself; retry later`);
  }
  return unwrap(await runtime.loop.command(command, actor));
}
