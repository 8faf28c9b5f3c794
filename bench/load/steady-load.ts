/**
 * One steady load on a fresh `moroccron serve` (SQLite, local backend): `rate` jobs that
 * each fire every second (`true`) for `seconds`. What it measures: start skew, runs started
 * and finished per second, the backlog (occurrences due but not started) second by second,
 * the API's and /healthz's latency, and the server's CPU, RSS and zombies.
 */
import { sleep, startServerProcess, tempDir } from '../../test/helpers/server-process.js';
import { startLatencyProbe, type ProbeReport } from './latency-probe.js';
import { startProcessSampler } from './process-sampler.js';
import { putJobs } from './put-jobs.js';
import { duplicateOccurrences, openRunLedger, runsPerSecond } from './run-ledger.js';
import { shutDown } from './server-lifecycle.js';
import { median, spread, type Spread } from './stats.js';

/** Small enough that the host's capacity (cpus) never holds a run back: what is measured is the launcher. */
export const JOB_RESOURCES = { cpus: 0.001, mem: 1 };

export interface SteadyLoadResult {
  rate: number;
  seconds: number;
  warmupSeconds: number;
  /** Occurrences due in the window (rate × seconds) and what became of them. */
  due: number;
  runs: { claimed: number; started: number; finished: number; succeeded: number; duplicates: number };
  /** Of the runs due after the warm-up. */
  startSkewMs: Spread;
  /** Medians over the seconds after the warm-up, counted by when runs started and finished. */
  startedPerSecond: number | null;
  finishedPerSecond: number | null;
  /** Due at least a second ago but not started as the store shows it, at the end of the window; and how much that grew after the warm-up. */
  backlogAtEnd: number;
  backlogGrowth: number;
  /** Started ≥ 95% of the rate asked, and the backlog grew by less than 5% of what came due. */
  sustained: boolean;
  apiRead: ProbeReport;
  healthz: ProbeReport;
  server: { maxZombies: number; maxDescendants: number; cpuPercent: number | null; treeCpuPercent: number | null; peakRssMiB: number | null };
  perSecond: { second: number; started: number; finished: number; backlog: number | null; zombies: number; cpuPercent: number | null }[];
}

export async function steadyLoad(rate: number, seconds: number, warmupSeconds: number): Promise<SteadyLoadResult> {
  const dir = tempDir('moroccron-launcher-');
  const server = await startServerProcess(dir.path);
  try {
    const names = Array.from({ length: rate }, (_, i) => `steady-${String(i).padStart(4, '0')}`);
    await putJobs(
      server.url,
      names.map((name) => ({ name, schedule: '* * * * * *', command: 'true', timezone: 'UTC', concurrency: 'allow', resources: JOB_RESOURCES })),
    );
    // The first whole second by which every job is surely armed.
    const start = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    const end = start + seconds * 1000;
    const ledger = openRunLedger(dir.path);
    await sleep(start - 1000 - Date.now());
    const healthz = startLatencyProbe(server.url, '/healthz');
    const apiRead = startLatencyProbe(server.url, `/api/v1/jobs/${names[Math.floor(rate / 2)]}`);
    const sampler = startProcessSampler(server.child.pid!, { origin: start });

    const backlog = new Map<number, number>();
    for (let second = 0; second < seconds; second++) {
      // At the end of each second: the runs due at its start or before that the store does not show started.
      await sleep(start + (second + 1) * 1000 + 10 - Date.now());
      backlog.set(second, rate * (second + 1) - ledger.counts(start, start + (second + 1) * 1000).started);
    }
    const backlogAtEnd = backlog.get(seconds - 1)!;
    const [healthzReport, apiReadReport, processes] = await Promise.all([healthz.stop(), apiRead.stop(), sampler.stop()]);
    // Runs due in the window that are late get a little longer to start, for their skew.
    await sleep(2000);
    const runs = ledger.runs(start, end);
    ledger.close();

    const bySecond = new Map(runsPerSecond(runs, start).map((r) => [r.second, r]));
    const inWindow = Array.from({ length: seconds }, (_, second) => bySecond.get(second) ?? { second, claimed: 0, started: 0, finished: 0 });
    const counted = inWindow.slice(warmupSeconds);
    const startedPerSecond = median(counted.map((r) => r.started));
    const backlogGrowth = backlogAtEnd - (backlog.get(warmupSeconds - 1) ?? 0);
    const processSeconds = new Map(processes.perSecond.map((p) => [p.second, p]));
    return {
      rate,
      seconds,
      warmupSeconds,
      due: rate * seconds,
      runs: {
        claimed: runs.length,
        started: runs.filter((r) => r.startedAt !== null).length,
        finished: runs.filter((r) => r.finishedAt !== null).length,
        succeeded: runs.filter((r) => r.status === 'succeeded').length,
        duplicates: duplicateOccurrences(runs),
      },
      startSkewMs: spread(runs.filter((r) => r.startedAt !== null && r.scheduledAt >= start + warmupSeconds * 1000).map((r) => r.startedAt! - r.scheduledAt)),
      startedPerSecond,
      finishedPerSecond: median(counted.map((r) => r.finished)),
      backlogAtEnd,
      backlogGrowth,
      sustained: startedPerSecond !== null && startedPerSecond >= 0.95 * rate && backlogGrowth <= 0.05 * rate * (seconds - warmupSeconds),
      apiRead: apiReadReport,
      healthz: healthzReport,
      server: {
        maxZombies: processes.maxZombies,
        maxDescendants: processes.maxDescendants,
        cpuPercent: processes.cpuPercent,
        treeCpuPercent: processes.treeCpuPercent,
        peakRssMiB: processes.peakRssMiB,
      },
      perSecond: inWindow.map((r) => ({
        second: r.second,
        started: r.started,
        finished: r.finished,
        backlog: backlog.get(r.second) ?? null,
        zombies: processSeconds.get(r.second)?.maxZombies ?? 0,
        cpuPercent: processSeconds.get(r.second)?.cpuPercent ?? null,
      })),
    };
  } finally {
    await shutDown(server);
    dir.remove();
  }
}
