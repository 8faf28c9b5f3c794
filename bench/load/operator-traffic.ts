/**
 * What an operator's browser asks of a server through a long day, kept up for a soak: every
 * few seconds a look at the jobs list (with each job's newest runs), one job's page (the
 * job, its runs, its next occurrences) and its newest finished run with its log; one event
 * stream open the whole time; and every half minute a second tab that is reloaded, resuming
 * its own event stream where it left off.
 */
import { spread, type Spread } from './stats.js';
import { EventStreamClient, type EventStreamCounts } from './event-stream-client.js';

export interface Request {
  /** ms since the traffic began. */
  at: number;
  kind: string;
  ms: number;
  ok: boolean;
}

export interface OperatorReport {
  requests: number;
  failed: number;
  /** e.g. "HTTP 429" or a connection error, a few of them. */
  failures: string[];
  latencyMs: Record<string, Spread>;
  logs: { read: number; asExpected: number };
  liveStream: EventStreamCounts;
  reloadingTab: EventStreamCounts;
}

interface RunPage {
  runs: { id: string; status: string }[];
}

export class OperatorTraffic {
  readonly requests: Request[] = [];
  private readonly failures = new Set<string>();
  private readonly began = Date.now();
  private readonly live: EventStreamClient;
  private readonly tab: EventStreamClient;
  private running = true;
  private readonly loops: Promise<void>[] = [];
  private logsRead = 0;
  private logsAsExpected = 0;

  /** `expectedLog(job, run)` is what the run's stdout should be. */
  constructor(
    private readonly baseUrl: string,
    private readonly jobs: readonly string[],
    private readonly expectedLog: (job: string, run: { id: string }) => RegExp,
    private readonly pageEveryMs = 5000,
    private readonly reloadEveryMs = 30_000,
  ) {
    this.live = new EventStreamClient(baseUrl);
    this.tab = new EventStreamClient(baseUrl);
    this.loops.push(this.live.run(), this.pageViews(), this.tabReloads());
  }

  async stop(): Promise<OperatorReport> {
    this.running = false;
    this.live.close();
    this.tab.close();
    await Promise.all(this.loops);
    const kinds = [...new Set(this.requests.map((r) => r.kind))];
    return {
      requests: this.requests.length,
      failed: this.requests.filter((r) => !r.ok).length,
      failures: [...this.failures].slice(0, 5),
      latencyMs: Object.fromEntries(kinds.map((k) => [k, spread(this.requests.filter((r) => r.kind === k && r.ok).map((r) => r.ms))])),
      logs: { read: this.logsRead, asExpected: this.logsAsExpected },
      liveStream: { ...this.live.counts },
      reloadingTab: { ...this.tab.counts },
    };
  }

  private async pause(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.running && Date.now() < until) await new Promise((r) => setTimeout(r, Math.min(250, until - Date.now())));
  }

  private async pageViews(): Promise<void> {
    for (let view = 0; this.running; view++) {
      const job = this.jobs[view % this.jobs.length]!;
      const name = encodeURIComponent(job);
      await this.get('jobs?recent=5', '/api/v1/jobs?recent=5');
      await this.get('job', `/api/v1/jobs/${name}`);
      await this.get('job occurrences', `/api/v1/jobs/${name}/occurrences?count=10`);
      const page = await this.get<RunPage>('job runs', `/api/v1/jobs/${name}/runs?limit=20`);
      const run = page?.runs.find((r) => r.status === 'succeeded');
      if (run) {
        await this.get('run', `/api/v1/runs/${encodeURIComponent(run.id)}`);
        const log = await this.get<{ data: string }>('run log', `/api/v1/runs/${encodeURIComponent(run.id)}/logs?stream=stdout`);
        if (log) {
          this.logsRead++;
          if (this.expectedLog(job, run).test(log.data)) this.logsAsExpected++;
        }
      }
      await this.pause(this.pageEveryMs);
    }
  }

  private async tabReloads(): Promise<void> {
    while (this.running) {
      await this.pause(this.reloadEveryMs);
      if (this.running) await this.tab.run(3000);
    }
  }

  private async get<T>(kind: string, path: string): Promise<T | null> {
    const sent = performance.now();
    const at = Date.now() - this.began;
    try {
      const response = await fetch(this.baseUrl + path, { signal: AbortSignal.timeout(10_000) });
      const text = await response.text();
      this.requests.push({ at, kind, ms: Math.round(performance.now() - sent), ok: response.ok });
      if (!response.ok) {
        this.failures.add(`${kind}: HTTP ${response.status}`);
        return null;
      }
      return JSON.parse(text) as T;
    } catch (e) {
      this.requests.push({ at, kind, ms: Math.round(performance.now() - sent), ok: false });
      this.failures.add(`${kind}: ${(e as Error).name === 'TimeoutError' ? 'no answer in 10 s' : String((e as Error).cause ?? (e as Error).message)}`);
      return null;
    }
  }
}
