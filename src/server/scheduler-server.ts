/**
 * `moroccron serve`: wires the store, the backend, the loop and the HTTP API together,
 * boots the scheduler from the store and serves until stopped.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { buildApi } from '../api/server.js';
import { parseJobs } from '../api/routes/jobs.js';
import { parseJobFile } from '../cli/job-file.js';
import { LocalBackend } from '../backends/local/index.js';
import type { Backend } from '../backends/types.js';
import { initialState, type SchedulerConfig } from '../core/state.js';
import type { Message, Millis, Resources, Run } from '../core/types.js';
import { MesosBackend } from '../backends/mesos/mesos-backend.js';
import { defaultStoreUrl, openStore } from '../store/open-store.js';
import { FencedError, type Store } from '../store/types.js';
import { EventBus } from './events.js';
import { Interpreter } from './interpreter.js';
import { Loop } from './loop.js';
import { Metrics } from './metrics.js';
import { WakeTimer } from './wake-timer.js';

export interface ServeOptions {
  host: string;
  port: number;
  dataDir: string;
  storeUrl?: string;
  backend: 'local' | 'mesos';
  mesos?: MesosSettings;
  resources?: Partial<Resources>;
  scheduler?: Partial<SchedulerConfig>;
  /** A job file applied when the store has no jobs yet (first start). */
  seedFile?: string;
  version: string;
  logger: Logger;
  clock?: () => Millis;
}

export interface MesosSettings {
  masters: string;
  role: string;
  user: string;
  frameworkName: string;
  failoverTimeoutSeconds: number;
}

const FRAMEWORK_ID_KEY = 'mesos.frameworkId';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
  /** Resolves when the server stops by itself (e.g. fenced by a newer scheduler). */
  stopped: Promise<Error | null>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { logger } = options;
  const clock = options.clock ?? Date.now;
  const storeUrl = options.storeUrl ?? defaultStoreUrl(options.dataDir);
  const store: Store = openStore(storeUrl);
  await store.init();

  const selfId = `${hostname()}:${options.port}`;
  const epoch = await store.beginEpoch(selfId, clock());
  const state = initialState(options.scheduler);
  const events = new EventBus();
  let loop: Loop | null = null;
  const post = (m: Parameters<Loop['post']>[0]) => loop?.post(m);
  const timer = new WakeTimer(clock, () => post({ type: 'tick', now: clock() }));

  let resolveStopped: (e: Error | null) => void = () => {};
  const stopped = new Promise<Error | null>((r) => (resolveStopped = r));
  const fail = (error: Error): void => {
    if (error instanceof FencedError) logger.fatal(`stepping down: ${error.message}`);
    else logger.fatal({ err: error }, 'scheduler stopped; a restart resumes from the store');
    timer.clear();
    resolveStopped(error);
  };

  const { jobs, activeRuns } = await store.loadState();
  const isRunActive = (runId: string): boolean => state.runs.has(runId);
  const backend = await openBackend(options, { store, epoch, post, clock, logger, activeRuns, fail, isRunActive });
  const metrics = new Metrics(state, () => loop?.depth ?? 0);
  const interpreter = new Interpreter({ store, backend, epoch, timer, events, metrics, logger, clock });
  loop = new Loop(state, interpreter, clock, metrics, fail);

  // The local backend's one agent is a capacity the scheduler fills itself; Mesos places runs by offers.
  const local = backend.kind === 'local' ? backend.agents()[0]! : null;
  const placement = local ? { capacity: local, agents: [local.id] } : { capacity: null, agents: [] };
  loop.post({ type: 'boot', now: clock(), jobs, activeRuns, ...placement, idPrefix: randomBytes(3).toString('hex') });
  logger.info({ jobs: jobs.length, activeRuns: activeRuns.length, epoch, store: store.description, backend: backend.kind }, 'scheduler booted');

  if (options.seedFile && jobs.length === 0) {
    const specs = parseJobs(parseJobFile(options.seedFile, await readFile(options.seedFile, 'utf8')));
    const result = await loop.command({ kind: 'put-jobs', specs });
    if (!result.ok) throw new Error(`seed file ${options.seedFile}: ${result.message}`);
    logger.info({ file: options.seedFile, jobs: specs.map((s) => s.name) }, 'example jobs loaded');
  }

  const cluster = { self: { id: selfId, url: '' }, epoch, backend: backend.kind, store: store.description };
  const app = buildApi({ loop, store, backend, events, metrics, cluster, version: options.version }, logger);
  const url = await app.listen({ host: options.host, port: options.port });
  const apiUrl = url.replace('[::1]', 'localhost');
  cluster.self.url = apiUrl;
  logger.info(`moroccron serving on ${apiUrl}`);

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    loop?.stop();
    timer.clear();
    await app.close();
    // Running processes are left running: the next start re-attaches them.
    await backend.close();
    await store.close();
    resolveStopped(null);
  };
  return { url: apiUrl, close, stopped };
}

interface BackendContext {
  store: Store;
  epoch: number;
  post: (m: Message) => void;
  clock: () => Millis;
  logger: Logger;
  activeRuns: Run[];
  fail: (error: Error) => void;
  isRunActive: (runId: string) => boolean;
}

async function openBackend(options: ServeOptions, ctx: BackendContext): Promise<Backend> {
  if (options.backend === 'local') {
    return new LocalBackend({ dataDir: options.dataDir, post: ctx.post, now: ctx.clock, ...(options.resources ? { resources: options.resources } : {}) });
  }
  const mesos = options.mesos;
  if (!mesos) throw new Error('--backend mesos needs --mesos-master');
  const stored = await ctx.store.getMeta(FRAMEWORK_ID_KEY);
  return new MesosBackend({
    ...mesos,
    masters: mesos.masters,
    frameworkId: stored ? stored : null,
    persistFrameworkId: async (id) => {
      await ctx.store.write(ctx.epoch, [{ op: 'put-meta', key: FRAMEWORK_ID_KEY, value: id ?? '' }]);
    },
    activeRuns: ctx.activeRuns.filter((r) => r.status === 'launching' || r.status === 'running'),
    blacklist: (await ctx.store.listBlacklist()).map((e) => e.agent),
    post: ctx.post,
    now: ctx.clock,
    logger: ctx.logger,
    onFatal: ctx.fail,
    isRunActive: ctx.isRunActive,
  });
}
