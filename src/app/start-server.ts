/**
 * The composition root of `moroccron serve`: the store, the election, the backend and the
 * HTTP API wired together, and this member's role. With the embedded
 * SQLite store the process leads at once; with a shared store it stands by, campaigns,
 * and runs the scheduler only while it leads (stepping down when leadership is lost or a
 * write is fenced, then campaigning again).
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { RateLimit } from '../api/rate-limit.js';
import { openDoor, tokenDoor } from '../api/auth.js';
import { accessStore, routeStore } from '../api/route-store.js';
import { buildApi, type TlsCredentials } from '../api/server.js';
import type { ClusterView } from '../api/context.js';
import { DEFAULT_ENV_REDACTION } from '../core/env-redaction.js';
import type { Millis } from '../core/types.js';
import type { LeaderElection, Member } from '../ha/types.js';
import { openElection } from '../ha/open-election.js';
import { TieredStore } from '../store/history/tiered-store.js';
import { defaultStoreUrl, openStore } from '../store/open-store.js';
import { FencedError, type Store } from '../store/types.js';
import { EventBus } from '../server/events.js';
import { startLeading, type LeaderOptions, type LeaderRuntime } from '../server/leader-runtime.js';
import { TokenVerifier } from '../server/access/token-verifier.js';
import { Metrics } from '../server/metrics.js';
import { backendOpener, type BackendSettings } from './open-backend.js';

export type { MesosSettings } from './open-backend.js';

export interface ServeOptions extends Omit<LeaderOptions, 'openBackend'> {
  dataDir: string;
  backend: BackendSettings;
  host: string;
  port: number;
  storeUrl?: string;
  /** Where a ZooKeeper or etcd store keeps run history beyond its cap (sqlite: or postgres://). */
  historyStoreUrl?: string;
  /** With a shared store: how long a dead or frozen leader keeps leading (default 2 s). */
  leaderTimeoutMs?: number;
  /** Requests per client (API token, else address) and window; absent or null: no limit. */
  rateLimit?: RateLimit | null;
  /** `tokens`: every request but health and readiness needs an API token; `open`: none is checked. */
  auth?: 'tokens' | 'open';
  /** /metrics without a token. */
  metricsOpen?: boolean;
  /** Serve HTTPS with this certificate and key; this member's URL (and so redirects to it) says https. */
  tls?: TlsCredentials;
  version: string;
  logger: Logger;
  clock?: () => Millis;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
  /** Resolves when the server stops by itself (a single-node scheduler that was fenced or failed). */
  stopped: Promise<Error | null>;
}

/** After a failed takeover, wait this long before campaigning again. */
const RETRY_CAMPAIGN_MS = 1000;

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { logger } = options;
  const clock = options.clock ?? Date.now;
  const storeUrl = options.storeUrl ?? defaultStoreUrl(options.dataDir);
  // openStore hands back a store that is connected and migrated.
  const store = await openStore(storeUrl, {
    ...(options.historyStoreUrl ? { historyUrl: options.historyStoreUrl } : {}),
    warn: (message, error) => logger.warn(error === undefined ? {} : { err: error }, message),
  });
  const election: LeaderElection | null = await openElection(storeUrl, options.leaderTimeoutMs === undefined ? {} : { leaderTimeoutMs: options.leaderTimeoutMs });

  const events = new EventBus();
  let runtime: LeaderRuntime | null = null;
  const metrics = new Metrics(
    () => runtime?.queries ?? null,
    () => runtime?.loop.depth ?? 0,
    () => (store instanceof TieredStore ? store.backlog : 0),
    () => runtime?.notifier.pending() ?? null,
  );
  const self: Member = { id: `${hostname()}:${options.port}`, url: '' };

  const cluster = async (): Promise<ClusterView> => {
    const base = { self, backend: options.backend.kind, store: store.description };
    if (!election) return { ...base, isLeader: runtime !== null, leader: runtime ? self : null, epoch: runtime?.epoch ?? null, members: [self] };
    const [elected, members] = await Promise.all([election.leader(), election.members()]);
    // Between stepping down and the store noticing, the election may still name this member: nobody leads then.
    const leader = elected && (runtime !== null || elected.id !== self.id) ? elected : null;
    return {
      ...base,
      isLeader: runtime !== null,
      leader: runtime ? self : leader ? { id: leader.id, url: leader.url } : null,
      epoch: runtime?.epoch ?? leader?.epoch ?? null,
      members,
    };
  };

  let resolveStopped: (e: Error | null) => void = () => {};
  const stopped = new Promise<Error | null>((r) => (resolveStopped = r));
  const leaderOptions: LeaderOptions = { ...options, openBackend: backendOpener(options.backend) };
  const lead = (epoch: number) => startLeading(leaderOptions, { store, epoch, events, metrics, logger, clock });

  // A single node leads before it listens, so its first answers already come from the scheduler.
  if (!election) {
    const epoch = await store.beginEpoch(self.id, clock()).catch((error: Error) => {
      throw new Error(`cannot start leading: the store ${store.description} could not be written: ${error.message}`, { cause: error });
    });
    runtime = await lead(epoch);
    void runtime.failed.then((error) => {
      if (error instanceof FencedError) logger.fatal(`stepping down: ${error.message}`);
      else logger.fatal({ err: error }, 'scheduler stopped; a restart resumes from the store');
      resolveStopped(error);
    });
  }

  // Standbys answer reads themselves, so the API holds the patterns, not only the scheduler.
  const envRedaction = options.scheduler?.envRedaction ?? DEFAULT_ENV_REDACTION;
  const auth = options.auth === 'tokens' ? tokenDoor(new TokenVerifier(store, clock)) : openDoor();
  if (auth.mode === 'tokens') await warnWithoutAdmin(store, logger);
  const app = buildApi(
    {
      leader: () => runtime,
      cluster,
      store: routeStore(store),
      access: accessStore(store),
      auth,
      metricsOpen: options.metricsOpen ?? false,
      events,
      metrics,
      version: options.version,
      envRedaction,
      rateLimit: options.rateLimit ?? null,
      ...(options.notices?.uiUrl ? { uiUrl: options.notices.uiUrl } : {}),
    },
    logger,
    options.tls,
  );
  const url = await app.listen({ host: options.host, port: options.port });
  self.url = url.replace('[::1]', 'localhost');
  if (options.port === 0) self.id = `${hostname()}:${new URL(self.url).port}`;
  logger.info(`moroccron serving on ${self.url}`);

  const stopCampaign = new AbortController();
  const shuttingDown = new Promise<string>((resolve) => stopCampaign.signal.addEventListener('abort', () => resolve('shutting down'), { once: true }));
  const campaigning = election ? campaign(election) : Promise.resolve();

  async function campaign(el: LeaderElection): Promise<void> {
    logger.info({ member: self }, 'standing by: campaigning for leadership');
    while (!stopCampaign.signal.aborted) {
      let leadership;
      try {
        leadership = await el.campaign(self, stopCampaign.signal);
      } catch (error) {
        if (stopCampaign.signal.aborted) return;
        logger.error({ err: error }, 'campaign failed; retrying');
        await new Promise((r) => setTimeout(r, RETRY_CAMPAIGN_MS));
        continue;
      }
      const wonAt = clock();
      try {
        runtime = await lead(leadership.epoch);
      } catch (error) {
        logger.error({ err: error }, 'could not take over; resigning');
        await leadership.resign().catch(() => {});
        await new Promise((r) => setTimeout(r, RETRY_CAMPAIGN_MS));
        continue;
      }
      logger.info({ epoch: leadership.epoch, takeoverMs: clock() - wonAt }, 'leading');
      const why = await Promise.race([
        leadership.lost.then((l) => l.reason),
        runtime.failed.then((e) => e.message),
        shuttingDown,
      ]);
      logger.warn({ epoch: leadership.epoch }, `stepping down: ${why}`);
      const ended = runtime;
      runtime = null;
      await ended.stop().catch((error: Error) => logger.error({ err: error }, 'stopping the scheduler failed'));
      await leadership.resign().catch(() => {});
    }
  }

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    stopCampaign.abort();
    await campaigning;
    // Open event streams would hold the HTTP server's close for its whole grace time.
    events.close();
    await app.close();
    // Running processes and tasks are left running: the next leader re-attaches them.
    await runtime?.stop();
    runtime = null;
    await election?.close();
    await store.close();
    resolveStopped(null);
  };
  return { url: self.url, close, stopped };
}

/** With tokens required and no admin token yet, nobody can get in: say how to make the first. */
async function warnWithoutAdmin(store: Store, logger: Logger): Promise<void> {
  const tokens = await store.listTokens();
  if (tokens.some((t) => t.role === 'admin' && t.revokedAt === null)) return;
  logger.warn(`--auth tokens and no admin token yet: make one with \`moroccron token create --role admin --store ${store.description}\` (it works with the server running)`);
}
