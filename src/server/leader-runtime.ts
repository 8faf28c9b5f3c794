/**
 * What runs while this member leads: the scheduler state, its loop, the backend and the
 * wake-up timer, all writing with the leadership's epoch. Built from the store when
 * leadership begins; stopped (leaving processes and tasks running) when it ends.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Backend } from '../backends/types.js';
import { systemActor } from '../core/access-control.js';
import { queriesOf, type SchedulerQueries } from '../core/queries.js';
import { initialState, type SchedulerConfig } from '../core/state.js';
import { FRAMEWORK_ID_META, type JobSpec, type Message, type Millis, type OwnerSpec, type Run } from '../core/types.js';
import type { Store } from '../store/types.js';
import type { EventBus } from './events.js';
import { Interpreter } from './interpreter.js';
import { Loop } from './loop.js';
import type { Metrics } from './metrics.js';
import { Notifier, type ChannelSettings } from '../notify/index.js';
import { stderrTailReader } from './stderr-tail.js';
import { WakeTimer } from './wake-timer.js';

export interface LeaderOptions {
  scheduler?: Partial<SchedulerConfig>;
  /** Where notices go: SMTP, the PagerDuty endpoint, and the UI links in them. */
  notices?: { channels: ChannelSettings; uiUrl?: string };
  /** Jobs applied when the store has no jobs yet (first start). */
  seed?: { source: string; jobs: JobSpec[]; owners: OwnerSpec[] };
  /** Builds the backend for this term of leadership (the composition root knows which). */
  openBackend: (ctx: BackendContext) => Promise<Backend>;
}

/** What a backend gets: a way to post messages into the loop, and what the store held at takeover. */
export interface BackendContext {
  post: (m: Message) => void;
  /** Resolves true once the message's batch is durable; false if the scheduler stopped first. */
  postDurably: (m: Message) => Promise<boolean>;
  clock: () => Millis;
  logger: Logger;
  /** Runs the store says are launching or running. */
  activeRuns: Run[];
  /** Blacklisted agent ids, as stored. */
  blacklist: string[];
  /** The stored Mesos framework ID, if any. */
  frameworkId: string | null;
  /** The backend cannot go on (another scheduler took its framework over): this term ends. */
  fail: (error: Error) => void;
}

export interface LeaderRuntime {
  epoch: number;
  /** Read-only answers from the scheduler's state (copies). */
  queries: SchedulerQueries;
  loop: Loop;
  backend: Backend;
  /** Sends notices; test notices go straight through it. */
  notifier: Notifier;
  /** Settles when the runtime failed by itself (fenced, Mesos failover): time to step down. */
  failed: Promise<Error>;
  /** Stop scheduling; processes and Mesos tasks keep running for the next leader. */
  stop(): Promise<void>;
}

export async function startLeading(
  options: LeaderOptions,
  deps: { store: Store; epoch: number; events: EventBus; metrics: Metrics; logger: Logger; clock: () => Millis },
): Promise<LeaderRuntime> {
  const { store, epoch, events, metrics, logger, clock } = deps;
  const state = initialState(options.scheduler);
  let loop: Loop | null = null;
  const post = (m: Message) => loop?.post(m);
  const postDurably = (m: Message) => loop?.postDurably(m) ?? Promise.resolve(false);
  const timer = new WakeTimer(clock, () => post({ type: 'tick', now: clock() }));
  let reportFailure: (e: Error) => void = () => {};
  const failed = new Promise<Error>((resolve) => (reportFailure = resolve));
  const fail = (error: Error): void => {
    timer.clear();
    loop?.stop();
    reportFailure(error);
  };

  const [{ jobs, activeRuns, owners, notices }, blacklist, storedFrameworkId] = await Promise.all([
    store.loadState(),
    store.listBlacklist(),
    store.getMeta(FRAMEWORK_ID_META),
  ]);
  const frameworkId = storedFrameworkId || null;
  const backend = await options.openBackend({
    post,
    postDurably,
    clock,
    logger,
    activeRuns: activeRuns.filter((r) => r.status === 'launching' || r.status === 'running'),
    blacklist: blacklist.map((e) => e.agent),
    frameworkId,
    fail,
  });
  const notifier = new Notifier({
    channels: options.notices?.channels ?? {},
    ...(options.notices?.uiUrl ? { uiUrl: options.notices.uiUrl } : {}),
    readStderrTail: stderrTailReader(store, backend),
    onDelivered: (noticeId) => post({ type: 'notice-done', now: clock(), noticeId }),
    // Given up (a receiver that refuses it for good): it leaves the outbox too, with the reason logged.
    onGaveUp: (noticeId) => post({ type: 'notice-done', now: clock(), noticeId }),
    stats: metrics.noticeStats,
    log: logger,
  });
  const interpreter = new Interpreter({ store, backend, notifier, epoch, timer, events, metrics, logger });
  loop = new Loop(state, interpreter, clock, metrics, fail);

  // The local backend's one agent is a capacity the scheduler fills itself; Mesos places runs by offers.
  const local = backend.kind === 'local' ? backend.agents()[0]! : null;
  const placement = local
    ? { capacity: { id: local.id, resources: local.resources, attributes: local.attributes, ...(local.users ? { users: local.users } : {}), ...(local.isolation ? { isolation: local.isolation } : {}) }, agents: [local.id] }
    : { capacity: null, agents: [] };
  loop.post({ type: 'boot', now: clock(), jobs, activeRuns, backend: backend.kind, ...placement, blacklist, frameworkId, owners, notices, idPrefix: randomBytes(3).toString('hex') });
  const containers = local?.isolation?.containers;
  const containersSaid = containers === undefined ? {} : { containers: containers.runtime === null ? `none: ${containers.why}` : `${containers.runtime} ${containers.version}` };
  logger.info({ jobs: jobs.length, activeRuns: activeRuns.length, epoch, store: store.description, backend: backend.kind, ...(local?.isolation ? { isolation: local.isolation.mode } : {}), ...containersSaid }, 'scheduler booted');

  if (options.seed && jobs.length === 0) {
    const { source, jobs: specs, owners: ownerSpecs } = options.seed;
    // Owners first: the jobs name them.
    const seeder = systemActor(`seed:${source}`);
    const putOwners = ownerSpecs.length > 0 ? await loop.command({ kind: 'put-owners', specs: ownerSpecs }, seeder) : null;
    if (putOwners && !putOwners.ok) throw new Error(`seed file ${source}: ${putOwners.message}`);
    const result = await loop.command({ kind: 'put-jobs', specs }, seeder);
    if (!result.ok) throw new Error(`seed file ${source}: ${result.message}`);
    logger.info({ file: source, jobs: specs.map((s) => s.name), owners: ownerSpecs.map((o) => o.name) }, 'example jobs loaded');
  }

  const running = loop;
  return {
    epoch,
    queries: queriesOf(state),
    loop: running,
    backend,
    notifier,
    failed,
    stop: async () => {
      running.stop();
      timer.clear();
      await notifier.close();
      await backend.close();
    },
  };
}
