/**
 * One sample of a soak: the server's and its launcher's RSS, fds and threads (/proc), the JS
 * heap and live handles from the server's /metrics, the SQLite file with its WAL, and how
 * many run dirs there are. The launcher is looked up again whenever it is gone (the server
 * forks a new one should it die); every pid it had is kept.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findChild, procUsage } from './proc-usage.js';
import { scrapeMetrics } from './prometheus-text.js';
import type { SoakSample } from './soak-report.js';

const MIB = 2 ** 20;
export const mib = (bytes: number | null | undefined): number | null => (bytes === null || bytes === undefined ? null : Math.round((bytes / MIB) * 10) / 10);

const fileBytes = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

const entries = (path: string): number => {
  try {
    return readdirSync(path).length;
  } catch {
    return 0;
  }
};

const ACTIVE_STATUSES = ['waiting', 'queued', 'launching', 'running'];

export class SoakSampler {
  readonly launcherPids = new Set<number>();
  scrapeFailures = 0;
  private launcherPid: number | null = null;

  constructor(
    private readonly serverPid: number,
    private readonly serverUrl: string,
    private readonly dataDir: string,
  ) {}

  /** Null once the server is gone. */
  async sample(t: number): Promise<SoakSample | null> {
    let launcher = this.launcherPid === null ? null : await procUsage(this.launcherPid);
    if (launcher === null) {
      this.launcherPid = await findChild(this.serverPid, 'launcher-main');
      if (this.launcherPid !== null) this.launcherPids.add(this.launcherPid);
      launcher = this.launcherPid === null ? null : await procUsage(this.launcherPid);
    }
    const server = await procUsage(this.serverPid);
    if (server === null) return null;
    let metrics: Map<string, number> | null = null;
    try {
      metrics = await scrapeMetrics(this.serverUrl);
    } catch {
      this.scrapeFailures++;
    }
    const metric = (name: string): number | null => metrics?.get(name) ?? null;
    const lag = metric('moroccron_process_nodejs_eventloop_lag_p99_seconds');
    return {
      t,
      serverRssMiB: mib(server.rssBytes),
      serverRssAnonMiB: mib(server.rssAnonBytes),
      serverFds: server.fds,
      serverThreads: server.threads,
      heapUsedMiB: mib(metric('moroccron_process_nodejs_heap_size_used_bytes')),
      heapTotalMiB: mib(metric('moroccron_process_nodejs_heap_size_total_bytes')),
      externalMiB: mib(metric('moroccron_process_nodejs_external_memory_bytes')),
      activeHandles: metric('moroccron_process_nodejs_active_handles_total'),
      launcherRssMiB: mib(launcher?.rssBytes),
      launcherRssAnonMiB: mib(launcher?.rssAnonBytes),
      launcherFds: launcher?.fds ?? null,
      eventLoopLagP99Ms: lag === null ? null : Math.round(lag * 10_000) / 10,
      queueDepth: metric('moroccron_loop_queue_depth'),
      runsActive: metrics ? ACTIVE_STATUSES.reduce((sum, s) => sum + (metric(`moroccron_runs_active{status="${s}"}`) ?? 0), 0) : null,
      dbMiB: mib(fileBytes(join(this.dataDir, 'moroccron.db')) + fileBytes(join(this.dataDir, 'moroccron.db-wal')))!,
      runDirs: entries(join(this.dataDir, 'runs')),
    };
  }
}
