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
import type { Millis, Resources } from '../core/types.js';
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
  resources?: Partial<Resources>;
  scheduler?: Partial<SchedulerConfig>;
  /** A job file applied when the store has no jobs yet (first start). */
  seedFile?: string;
  version: string;
  logger: Logger;
  clock?: () => Millis;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
  /** Resolves when the server stops by itself (e.g. fenced by a newer scheduler). */
  stopped: Promise<Error | null>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { logger } = options;
  const clock = options.clock ?? Date.now;
  if (options.backend !== 'local') throw new Error(`backend ${options.backend} is not available in this version; use --backend local`);
  const storeUrl = options.storeUrl ?? defaultStoreUrl(options.dataDir);
  const store: Store = openStore(storeUrl);
  await store.init();

  const selfId = `${hostname()}:${options.port}`;
  const epoch = await store.beginEpoch(selfId, clock());
  const state = initialState(options.scheduler);
  const events = new EventBus();
  let loop: Loop | null = null;
  const post = (m: Parameters<Loop['post']>[0]) => loop?.post(m);
  const backend: Backend = new LocalBackend({ dataDir: options.dataDir, post, now: clock, ...(options.resources ? { resources: options.resources } : {}) });
  const metrics = new Metrics(state, () => loop?.depth ?? 0);
  const timer = new WakeTimer(clock, () => post({ type: 'tick', now: clock() }));
  const interpreter = new Interpreter({ store, backend, epoch, timer, events, metrics, logger, clock });

  let resolveStopped: (e: Error | null) => void = () => {};
  const stopped = new Promise<Error | null>((r) => (resolveStopped = r));
  loop = new Loop(state, interpreter, clock, metrics, (error) => {
    if (error instanceof FencedError) logger.fatal(`stepping down: ${error.message}`);
    else logger.fatal({ err: error }, 'scheduler loop failed; stopping (restart resumes from the store)');
    timer.clear();
    resolveStopped(error);
  });

  const { jobs, activeRuns } = await store.loadState();
  const agent = backend.agents()[0]!;
  loop.post({ type: 'boot', now: clock(), jobs, activeRuns, capacity: agent, agents: [agent.id], idPrefix: randomBytes(3).toString('hex') });
  logger.info({ jobs: jobs.length, activeRuns: activeRuns.length, epoch, store: store.description, agent }, 'scheduler booted');

  if (options.seedFile && jobs.length === 0) {
    const specs = parseJobs(parseJobFile(options.seedFile, await readFile(options.seedFile, 'utf8')));
    const result = await loop.command({ kind: 'put-jobs', specs });
    if (!result.ok) throw new Error(`seed file ${options.seedFile}: ${result.message}`);
    logger.info({ file: options.seedFile, jobs: specs.map((s) => s.name) }, 'example jobs loaded');
  }

  const cluster = { self: { id: selfId, url: '' }, epoch, backend: 'local' as const, store: store.description };
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
