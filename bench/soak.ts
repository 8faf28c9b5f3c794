/**
 * Issue 12, target 6: the soak. A real `moroccron serve` as a user starts it (SQLite store,
 * local backend, default settings: the 600/1m rate limit, history kept 1,000 runs per job and
 * 30 days, pruned every minute, logs capped at 64 MiB) runs about 1,000 runs a minute for an
 * hour: `--jobs` (17) jobs due every second (1,020 a minute), each `echo`ing one line, so every
 * run has a log. An operator's traffic goes on beside it (bench/load/operator-traffic.ts: pages
 * every 5 s, one run's log, the event stream held open, a tab reloaded every 30 s).
 *
 * Every `--sample-s` (10 s): the server's and its launcher's RSS, open fds and threads (/proc),
 * the JS heap used and the live handles (the server's /metrics), the SQLite file with its WAL,
 * the run dirs; each second the process tree for zombies and CPU. Runs are tallied from the
 * store as they finish (start skew, duplicates, none missing), before retention prunes them.
 *
 * Flat means: the median of the last window within ±10% of the median of the first steady
 * window, and the least-squares slope after the warm-up, per hour, beside it. The same again
 * from when every job's history is full, once the run is long enough (bench/load/soak-report.ts).
 * Prints JSON (and the tables with --table), writes an SVG of RSS, heap and fds over time
 * (--svg); never asserts. With --from, reports a saved result again instead of measuring.
 *   node --import tsx bench/soak.ts [--minutes 60] [--jobs 17] [--sample-s 10] [--svg bench/results/soak.svg] [--table]
 *   node --import tsx bench/soak.ts --from bench/results/soak.json [--svg ...] [--table]   (the chart beside the JSON by default)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_RATE_LIMIT } from '../src/api/rate-limit.js';
import { sleep, startServerProcess, tempDir } from '../test/helpers/server-process.js';
import { OperatorTraffic } from './load/operator-traffic.js';
import { startProcessSampler } from './load/process-sampler.js';
import { putJobs } from './load/put-jobs.js';
import { openRunLedger } from './load/run-ledger.js';
import { RunTally } from './load/run-tally.js';
import { shutDown } from './load/server-lifecycle.js';
import { flatnessOf, soakChart, soakTable, soakWindows, type SoakResult, type SoakSample, type SoakSettings } from './load/soak-report.js';
import { SoakSampler } from './load/soak-sample.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    jobs: { type: 'string', default: '17' },
    'sample-s': { type: 'string', default: '10' },
    svg: { type: 'string' },
    from: { type: 'string' },
    table: { type: 'boolean', default: false },
  },
});

/** The server's defaults: runs kept per job, and how often finished runs beyond that are pruned. */
const HISTORY_KEEP = 1000;
const PRUNE_INTERVAL_MS = 60_000;
/**
 * How long after the start every job's history is full (each runs every second) and pruning
 * removes as much as comes in: from then on the SQLite file and the run dirs stop growing.
 * Before it they grow by design.
 */
const HISTORY_FULL_MS = HISTORY_KEEP * 1000 + PRUNE_INTERVAL_MS;
/** Runs are tallied once they are this old (scheduled time): `echo` has long finished by then. */
const TALLY_LAG_MS = 15_000;
const COMMAND = 'echo "soak $MOROCCRON_JOB $MOROCCRON_SCHEDULED_AT"';

const loads = () => loadavg().map((n) => Math.round(n * 100) / 100);

async function measure(minutes: number, jobCount: number, sampleMs: number): Promise<SoakResult> {
  const durationMs = Math.round(minutes * 60_000);
  /**
   * The warm-up left out of the comparison, and the length of the windows compared: 10% of
   * the run, at least a minute. In its first minute a fresh server compiles and optimizes its
   * hot code (V8's code space grows), its heap grows to its working size, SQLite's page cache
   * fills, and the fixed-size buffers (the event replay buffer of 1,000 events, the
   * launcher's FIFO pool) fill: growth then is set-up, not a leak. A minute of 10 s samples
   * (6) is the fewest whose median one GC saw-tooth does not decide.
   */
  const windowMs = Math.max(60_000, durationMs / 10);
  const jobNames = Array.from({ length: jobCount }, (_, i) => `soak-${String(i).padStart(2, '0')}`);
  const expectedLog = (job: string) => new RegExp(`^soak ${job} \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\n$`);

  const dir = tempDir('moroccron-soak-');
  const server = await startServerProcess(dir.path, ['--rate-limit', DEFAULT_RATE_LIMIT]);
  const serverPid = server.child.pid!;
  // Ended early (Ctrl-C, or a supervisor's TERM): stop sampling and report what was measured.
  let stopEarly = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stopEarly = true));
  try {
    await putJobs(server.url, jobNames.map((name) => ({ name, schedule: '* * * * * *', command: COMMAND, timezone: 'UTC' })));
    const start = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    const loadAtStart = loads();
    const ledger = openRunLedger(dir.path);
    const tally = new RunTally(ledger, jobCount, start);
    await sleep(start - Date.now());
    const tree = startProcessSampler(serverPid, { intervalMs: 1000, origin: start });
    const operator = new OperatorTraffic(server.url, jobNames, (job) => expectedLog(job));
    const sampler = new SoakSampler(serverPid, server.url, dir.path);

    const samples: SoakSample[] = [];
    for (let k = 0; !stopEarly; k++) {
      const at = start + k * sampleMs;
      if (at > start + durationMs) break;
      while (Date.now() < at && !stopEarly) await sleep(Math.min(500, at - Date.now()));
      if (stopEarly) break;
      const s = await sampler.sample(Date.now() - start);
      tally.readUpTo(Date.now() - TALLY_LAG_MS);
      if (s === null) break; // the server died: nothing more to sample
      samples.push(s);
      if (k % Math.max(1, Math.round(60_000 / sampleMs)) === 0) {
        console.error(
          `[soak ${(s.t / 60_000).toFixed(1)}/${minutes} min] server rss ${s.serverRssMiB} MiB, heap ${s.heapUsedMiB} MiB, fds ${s.serverFds}; ` +
            `launcher rss ${s.launcherRssMiB} MiB, fds ${s.launcherFds}; handles ${s.activeHandles}; db ${s.dbMiB} MiB; run dirs ${s.runDirs}; runs tallied ${tally.report().runs}`,
        );
      }
    }
    const endMs = Math.min(Date.now() - start, durationMs);
    const [operatorReport, processes] = await Promise.all([operator.stop(), tree.stop()]);
    // The last runs due get the tally lag to finish, then are counted.
    await sleep(Math.max(0, start + endMs + TALLY_LAG_MS - Date.now()));
    tally.readUpTo(start + endMs);
    ledger.close();

    const settings: SoakSettings = {
      minutes,
      measuredMinutes: Math.round((endMs / 60_000) * 10) / 10,
      endedEarly: endMs < durationMs - sampleMs,
      jobs: jobCount,
      schedule: '* * * * * * (every second)',
      command: COMMAND,
      runsPerMinuteAsked: jobCount * 60,
      sampleSeconds: sampleMs / 1000,
      warmupSeconds: windowMs / 1000,
      windowSeconds: windowMs / 1000,
      server: `moroccron serve, SQLite, local backend, defaults (--rate-limit ${DEFAULT_RATE_LIMIT}, history ${HISTORY_KEEP} runs per job / 30 days, pruned every minute)`,
      historyKeep: HISTORY_KEEP,
      historyFullAtMinute: Math.round((HISTORY_FULL_MS / 60_000) * 10) / 10,
    };
    const { steady, historyFull } = soakWindows(settings);
    const steadyMinutes = [Math.ceil(steady.warmupEndMs / 60_000), Math.floor(steady.endMs / 60_000)] as const;
    return {
      benchmark: 'soak',
      node: process.version,
      when: new Date().toISOString(),
      machine: { cpus: availableParallelism(), memMiB: Math.round(totalmem() / 2 ** 20) },
      loadAverage: { atStart: loadAtStart, atEnd: loads() },
      settings,
      flat: flatnessOf(samples, steady),
      flatAfterHistoryFull: historyFull ? flatnessOf(samples, historyFull) : null,
      runs: {
        ...tally.report(),
        finishedPerMinute: tally.finishedPerMinute(steadyMinutes[0], steadyMinutes[1]),
        finishedPerMinuteFirstWindow: tally.finishedPerMinute(steadyMinutes[0], Math.floor((steady.warmupEndMs + windowMs) / 60_000)),
        finishedPerMinuteLastWindow: tally.finishedPerMinute(Math.ceil((steady.endMs - windowMs) / 60_000), steadyMinutes[1]),
      },
      launcher: { pids: [...sampler.launcherPids], restarts: Math.max(0, sampler.launcherPids.size - 1) },
      processTree: {
        maxZombies: processes.maxZombies,
        maxDescendants: processes.maxDescendants,
        serverCpuPercent: processes.cpuPercent,
        treeCpuPercent: processes.treeCpuPercent,
      },
      operator: operatorReport,
      metricsScrapeFailures: sampler.scrapeFailures,
      samples,
    };
  } finally {
    await shutDown(server);
    dir.remove();
  }
}

/** A saved result, judged again from its samples (by this version of the report). */
function reReport(path: string): SoakResult {
  const saved = JSON.parse(readFileSync(path, 'utf8')) as SoakResult;
  const settings: SoakSettings = { ...saved.settings, historyKeep: saved.settings.historyKeep ?? HISTORY_KEEP };
  const { steady, historyFull } = soakWindows(settings);
  return { ...saved, settings, flat: flatnessOf(saved.samples, steady), flatAfterHistoryFull: historyFull ? flatnessOf(saved.samples, historyFull) : null };
}

let result: SoakResult;
if (values.from !== undefined) {
  result = reReport(values.from);
} else {
  const minutes = Number(values.minutes);
  const jobCount = Number(values.jobs);
  const sampleMs = Number(values['sample-s']) * 1000;
  for (const [flag, n] of [['--minutes', minutes], ['--jobs', jobCount], ['--sample-s', sampleMs]] as const) {
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number`);
  }
  if (!Number.isInteger(jobCount)) throw new Error('--jobs must be a whole number');
  result = await measure(minutes, jobCount, sampleMs);
}
console.log(JSON.stringify(result, null, 2));
// A saved result's chart goes beside it, not over the hour's.
const svgPath = values.svg ?? (values.from !== undefined ? values.from.replace(/(\.json)?$/, '.svg') : 'bench/results/soak.svg');
mkdirSync(dirname(svgPath), { recursive: true });
writeFileSync(svgPath, soakChart(result));
if (values.table) console.error(soakTable(result, svgPath));
