/** Prometheus metrics: leadership, runs by status, dispatch skew, queue depth, loop latency, the history backlog. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SchedulerQueries } from '../core/queries.js';
import { isTerminal, type SchedulerEvent } from '../core/types.js';
import type { LoopStats } from './loop.js';

export class Metrics implements LoopStats {
  readonly registry = new Registry();
  private readonly finished: Counter<'status'>;
  private readonly skew: Histogram;
  private readonly batch: Histogram;
  private readonly notices: Counter<'channel' | 'outcome'>;

  /** `scheduler` is null while this member stands by (another leads); so is `noticesPending`. */
  constructor(
    scheduler: () => SchedulerQueries | null,
    queueDepth: () => number,
    historyBacklog: () => number = () => 0,
    noticesPending: () => Record<string, number> | null = () => null,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'moroccron_process_' });
    new Gauge({
      name: 'moroccron_leader',
      help: '1 while this member leads and schedules, 0 while it stands by',
      registers,
      collect() {
        this.set(scheduler() === null ? 0 : 1);
      },
    });
    new Gauge({
      name: 'moroccron_runs_unreachable',
      help: 'Running runs whose agent the Mesos master cannot reach',
      registers,
      collect() {
        this.set(scheduler()?.counts().unreachable ?? 0);
      },
    });
    new Gauge({
      name: 'moroccron_history_backlog_runs',
      help: 'Finished runs waiting to reach the history store (--history-store)',
      registers,
      collect() {
        this.set(historyBacklog());
      },
    });
    this.finished = new Counter({
      name: 'moroccron_runs_finished_total',
      help: 'Runs that reached a final status, by status',
      labelNames: ['status'],
      registers,
    });
    new Gauge({
      name: 'moroccron_runs_active',
      help: 'Runs not yet finished, by status',
      labelNames: ['status'],
      registers,
      collect() {
        const active = scheduler()?.counts().active ?? { waiting: 0, queued: 0, launching: 0, running: 0 };
        for (const [status, n] of Object.entries(active)) this.set({ status }, n);
      },
    });
    this.skew = new Histogram({
      name: 'moroccron_run_start_skew_seconds',
      help: 'Start time minus scheduled time of each run',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.batch = new Histogram({
      name: 'moroccron_loop_batch_seconds',
      help: 'Time to decide a batch of messages and carry out its effects',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    new Gauge({
      name: 'moroccron_loop_queue_depth',
      help: 'Messages waiting for the scheduler loop',
      registers,
      collect() {
        this.set(queueDepth());
      },
    });
    new Gauge({
      name: 'moroccron_runs_waiting_for_capacity',
      help: 'Due runs waiting for resources',
      registers,
      collect() {
        this.set(scheduler()?.counts().waiting ?? 0);
      },
    });
    this.notices = new Counter({
      name: 'moroccron_notices_total',
      help: 'Notices sent (outcome="sent") and failed attempts (outcome="failed"), by channel',
      labelNames: ['channel', 'outcome'],
      registers,
    });
    new Gauge({
      name: 'moroccron_notices_pending',
      help: 'Notices in the outbox not yet delivered, by channel',
      labelNames: ['channel'],
      registers,
      collect() {
        for (const [channel, n] of Object.entries(noticesPending() ?? {})) this.set({ channel }, n);
      },
    });
    new Gauge({
      name: 'moroccron_jobs',
      help: 'Jobs known to the scheduler',
      registers,
      collect() {
        this.set(scheduler()?.counts().jobs ?? 0);
      },
    });
  }

  /** For the notifier: a notice sent, or an attempt that failed. */
  readonly noticeStats = {
    sent: (channel: string) => this.notices.inc({ channel, outcome: 'sent' }),
    failed: (channel: string) => this.notices.inc({ channel, outcome: 'failed' }),
  };

  observeBatch(seconds: number): void {
    this.batch.observe(seconds);
  }

  observe(event: SchedulerEvent): void {
    if (event.kind !== 'run') return;
    const run = event.run;
    if (isTerminal(run.status)) this.finished.inc({ status: run.status });
    // A run is published as running once, when it starts.
    if (run.status === 'running' && run.startedAt !== null && run.killReason === null) this.skew.observe(Math.max(0, run.startedAt - run.scheduledAt) / 1000);
  }
}
