/**
 * The soak's report (bench/soak.ts), from its samples: whether each measure stayed flat, the
 * markdown table and the SVG chart. Kept apart from the measuring so a saved result can be
 * reported again (`bench/soak.ts --from bench/results/soak.json`).
 */
import { flatness, type Flatness, type Point, type Windows } from './flatness.js';
import { lineChartSvg } from './line-chart.js';
import { cell, type Spread } from './stats.js';
import type { OperatorReport } from './operator-traffic.js';
import type { TallyReport } from './run-tally.js';

export const TARGET_FLAT_PERCENT = 10;

/** One sample as the JSON keeps it (MiB to a tenth). */
export interface SoakSample {
  /** ms since the start. */
  t: number;
  serverRssMiB: number | null;
  /** Of the RSS, the process's own memory (heap, malloc): not code or mapped files. */
  serverRssAnonMiB: number | null;
  serverFds: number | null;
  serverThreads: number | null;
  heapUsedMiB: number | null;
  heapTotalMiB: number | null;
  externalMiB: number | null;
  activeHandles: number | null;
  launcherRssMiB: number | null;
  launcherRssAnonMiB: number | null;
  launcherFds: number | null;
  eventLoopLagP99Ms: number | null;
  queueDepth: number | null;
  runsActive: number | null;
  dbMiB: number;
  runDirs: number;
}

/** The measures judged for flatness. */
export const MEASURES = ['serverRssMiB', 'serverRssAnonMiB', 'heapUsedMiB', 'serverFds', 'launcherRssMiB', 'launcherFds', 'activeHandles', 'externalMiB', 'dbMiB', 'runDirs'] as const;
export type Measure = (typeof MEASURES)[number];

export interface SoakSettings {
  minutes: number;
  measuredMinutes: number;
  endedEarly: boolean;
  jobs: number;
  schedule: string;
  command: string;
  runsPerMinuteAsked: number;
  sampleSeconds: number;
  warmupSeconds: number;
  windowSeconds: number;
  server: string;
  historyKeep: number;
  historyFullAtMinute: number;
}

export interface SoakResult {
  benchmark: 'soak';
  node: string;
  when: string;
  machine: { cpus: number; memMiB: number };
  loadAverage: { atStart: number[]; atEnd: number[] };
  settings: SoakSettings;
  flat: Record<Measure, Flatness>;
  /** The same from when every job's history is full (null when the run is too short to have two windows after it). */
  flatAfterHistoryFull: Record<Measure, Flatness> | null;
  runs: TallyReport & { finishedPerMinute: number | null; finishedPerMinuteFirstWindow: number | null; finishedPerMinuteLastWindow: number | null };
  launcher: { pids: number[]; restarts: number };
  processTree: { maxZombies: number; maxDescendants: number; serverCpuPercent: number | null; treeCpuPercent: number | null };
  operator: OperatorReport;
  metricsScrapeFailures: number;
  samples: SoakSample[];
}

export const seriesOf = (samples: readonly SoakSample[], measure: Measure): Point[] =>
  samples.flatMap((s) => {
    const v = s[measure];
    // Results saved before a measure was added lack it.
    return v === null || v === undefined ? [] : [{ t: s.t, v }];
  });

export function soakWindows(settings: SoakSettings): { steady: Windows; historyFull: Windows | null } {
  const windowMs = settings.windowSeconds * 1000;
  const endMs = settings.measuredMinutes * 60_000;
  const historyFullMs = settings.historyFullAtMinute * 60_000;
  return {
    steady: { warmupEndMs: settings.warmupSeconds * 1000, windowMs, endMs },
    historyFull: endMs - historyFullMs >= 2 * windowMs ? { warmupEndMs: historyFullMs, windowMs, endMs } : null,
  };
}

export function flatnessOf(samples: readonly SoakSample[], windows: Windows): Record<Measure, Flatness> {
  return Object.fromEntries(MEASURES.map((m) => [m, flatness(seriesOf(samples, m), windows)])) as Record<Measure, Flatness>;
}

export function soakChart(r: SoakResult): string {
  const { steady } = soakWindows(r.settings);
  const series = (measure: Measure) => seriesOf(r.samples, measure);
  return lineChartSvg(
    `moroccron serve, ${r.settings.runsPerMinuteAsked.toLocaleString('en-US')} runs/min for ${r.settings.measuredMinutes} min (SQLite, local backend, defaults)`,
    steady.endMs,
    [
      {
        title: 'memory, MiB',
        series: [
          { name: 'server RSS', color: '#2563eb', points: series('serverRssMiB') },
          { name: 'server JS heap used', color: '#dc2626', points: series('heapUsedMiB') },
          { name: 'launcher RSS', color: '#16a34a', points: series('launcherRssMiB') },
          { name: 'SQLite file + WAL', color: '#6b7280', points: series('dbMiB') },
        ],
      },
      {
        title: 'open fds',
        series: [
          { name: 'server', color: '#2563eb', points: series('serverFds') },
          { name: 'launcher', color: '#16a34a', points: series('launcherFds') },
        ],
      },
    ],
    [
      { fromMs: 0, toMs: steady.warmupEndMs, label: 'warm-up' },
      { fromMs: steady.warmupEndMs, toMs: steady.warmupEndMs + steady.windowMs, label: 'first window', fill: '#dbeafe' },
      { fromMs: steady.endMs - steady.windowMs, toMs: steady.endMs, label: 'last window', fill: '#dbeafe' },
    ],
    [{ atMs: r.settings.historyFullAtMinute * 60_000, label: 'history full' }],
  );
}

const signed = (n: number): string => `${n > 0 ? '+' : ''}${n}%`;

function flatRow(what: string, f: Flatness, unit: string): string {
  const verdict = f.changePercent === null ? '' : Math.abs(f.changePercent) <= TARGET_FLAT_PERCENT ? ' ✓' : ' ✗';
  const change = f.changePercent === null ? '—' : signed(f.changePercent) + verdict;
  return `| ${what} | ±${TARGET_FLAT_PERCENT}% | ${cell(f.firstWindow, unit)} | ${cell(f.lastWindow, unit)} | ${change} | ${cell(f.slopePerHour, `${unit}/h`)} (${cell(f.slopePercentPerHour, '%/h')}) |`;
}

const boundedRow = (what: string, f: Flatness, unit: string): string =>
  `| ${what} | bounded | ${cell(f.firstWindow, unit)} | ${cell(f.lastWindow, unit)} | ${f.changePercent === null ? '—' : signed(f.changePercent)} | ${cell(f.slopePerHour, `${unit}/h`)} |`;

const spreadCell = (s: Spread | undefined): string => `${cell(s?.p50, ' ms')} / ${cell(s?.p99, ' ms')}`;

/** The markdown tables (for stderr). */
export function soakTable(r: SoakResult, chartPath: string): string {
  const { steady } = soakWindows(r.settings);
  const minutes = (ms: number) => Math.round((ms / 60_000) * 10) / 10;
  const flatHeader = '| measure | target | first window | last window | change | slope per hour |\n|---|---|---:|---:|---:|---:|';
  const lines = [
    `\nSoak: ${r.settings.jobs} jobs every second (\`echo\`, ${r.settings.runsPerMinuteAsked} runs/min asked) for ${r.settings.measuredMinutes} min on a default \`moroccron serve\`; ` +
      `${r.machine.cpus} cores, ${r.when}; load average ${r.loadAverage.atStart.join(' ')} at the start, ${r.loadAverage.atEnd.join(' ')} at the end\n`,
    `Medians of ${r.settings.sampleSeconds} s samples in minutes ${minutes(steady.warmupEndMs)}-${minutes(steady.warmupEndMs + steady.windowMs)} (after the warm-up) and in the last ${minutes(steady.windowMs)}; ` +
      'the slope by least squares over everything after the warm-up.\n',
    flatHeader,
    flatRow('server RSS', r.flat.serverRssMiB, ' MiB'),
    flatRow('server JS heap used', r.flat.heapUsedMiB, ' MiB'),
    flatRow('server open fds', r.flat.serverFds, ''),
    flatRow('launcher RSS', r.flat.launcherRssMiB, ' MiB'),
    flatRow('launcher open fds', r.flat.launcherFds, ''),
    flatRow('server live handles (timers, sockets, children)', r.flat.activeHandles, ''),
    boundedRow(`SQLite file + WAL (grows until every job's history is full, minute ${r.settings.historyFullAtMinute})`, r.flat.dbMiB, ' MiB'),
    boundedRow('run dirs (the same)', r.flat.runDirs, ''),
  ];
  const full = r.flatAfterHistoryFull;
  if (full) {
    lines.push(
      `\nFrom minute ${r.settings.historyFullAtMinute} on, with every job's history full (${r.settings.historyKeep} runs) and pruning removing what comes in: the first window after it against the last.\n`,
      flatHeader,
      flatRow('server RSS', full.serverRssMiB, ' MiB'),
      flatRow('server JS heap used', full.heapUsedMiB, ' MiB'),
      flatRow('server open fds', full.serverFds, ''),
      flatRow('launcher RSS', full.launcherRssMiB, ' MiB'),
      flatRow('launcher open fds', full.launcherFds, ''),
      flatRow('SQLite file + WAL', full.dbMiB, ' MiB'),
      flatRow('run dirs', full.runDirs, ''),
    );
  }
  if (!full) {
    lines.push(
      `\nEvery job's history is full only from minute ${r.settings.historyFullAtMinute}: until then the SQLite file, the run dirs and the server's RSS (native memory, not the JS heap) grow with it, ` +
        'and a slope per hour extrapolates that growth. Whether memory stays flat once it is full, only a run past it shows (the hour).',
    );
  }
  const runs = r.runs;
  const op = r.operator;
  const statuses = Object.entries(runs.byStatus).map(([s, n]) => `${s} ${n}`).join(', ');
  const failures = op.failures.length > 0 ? `: ${op.failures.join('; ')}` : '';
  lines.push(
    '\n| runs and the rest | target | measured |\n|---|---|---|',
    `| runs finished per minute: first window / last window / all after the warm-up | ${r.settings.runsPerMinuteAsked} | ${cell(runs.finishedPerMinuteFirstWindow)} / ${cell(runs.finishedPerMinuteLastWindow)} / ${cell(runs.finishedPerMinute)} |`,
    `| runs due / found / missing / unfinished when counted | | ${runs.due} / ${runs.runs} / ${runs.missing} / ${runs.unfinishedWhenRead} (${statuses}) |`,
    `| start skew p50 / p99 / max | | ${cell(runs.startSkewMs.p50, ' ms')} / ${cell(runs.startSkewMs.p99, ' ms')} / ${cell(runs.startSkewMs.max, ' ms')} |`,
    `| duplicates per (job, time) | 0 | ${runs.duplicates} |`,
    `| zombies at most / launcher restarts | no pile-up / 0 | ${r.processTree.maxZombies} / ${r.launcher.restarts} |`,
    `| server CPU / with everything under it (% of one core) | | ${cell(r.processTree.serverCpuPercent, '%')} / ${cell(r.processTree.treeCpuPercent, '%')} |`,
    `| operator requests (failed) | | ${op.requests} (${op.failed}${failures}) |`,
    `| p50 / p99: jobs?recent=5; a job's runs; a run's log | | ${spreadCell(op.latencyMs['jobs?recent=5'])}; ${spreadCell(op.latencyMs['job runs'])}; ${spreadCell(op.latencyMs['run log'])} |`,
    `| run logs read as the job wrote them | all | ${op.logs.asExpected} of ${op.logs.read} |`,
    `| event stream held open: events, reconnects; reloaded tab: connections, resets | | ${op.liveStream.events}, ${op.liveStream.dropped}; ${op.reloadingTab.connections}, ${op.reloadingTab.resets} |`,
    `\nChart: ${chartPath}`,
  );
  return lines.join('\n');
}
