/**
 * How fast the web UI shows the jobs table with many jobs: a real `moroccron serve` (local
 * backend) holding --jobs jobs, each run --runs times, and Debian's chromium loading `/`
 * --loads times, each in a new tab with the browser cache cleared. Times are from the
 * navigation start: DOMContentLoaded, each API call (start and end), and the first row of
 * the jobs table visible (inserted, then painted). Prints JSON (and a table with --table);
 * never asserts.
 *   node --import tsx bench/ui-load.ts [--jobs 1000] [--runs 3] [--loads 7] [--table]
 */
import { parseArgs } from 'node:util';
import { launchBrowser } from '../test/helpers/browser.js';
import { api, eventually, startServerProcess, tempDir } from '../test/helpers/server-process.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
    loads: { type: 'string', default: '7' },
    table: { type: 'boolean', default: false },
  },
});
const jobCount = Number(values.jobs);
const runsPerJob = Number(values.runs);
const loads = Number(values.loads);

/** The jobs table's first body row; the page marks it so tests and this bench can find it. */
const FIRST_ROW = '[data-testid="page-jobs"] table tbody tr';

const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
const round = (ms: number): number => Math.round(ms * 10) / 10;

/** Realistic variety: schedules, zones, owners and labels the filters work on; a few jobs fail. */
function benchJob(i: number) {
  const schedules = ['*/5 * * * *', '0 * * * *', '30 2 * * *', '0 0 * * 0', '15 */6 * * *', '@daily', 'R/2026-01-01T00:00:00Z/PT30M'];
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
  return {
    name: `job-${String(i).padStart(4, '0')}`,
    schedule: schedules[i % schedules.length],
    timezone: zones[i % zones.length],
    command: i % 10 === 7 ? 'echo failing >&2; exit 2' : 'echo ok',
    concurrency: 'allow',
    resources: { cpus: 0.001, mem: 1 },
    labels: { team: `team-${i % 8}` },
  };
}

async function populate(url: string): Promise<number> {
  const jobs = Array.from({ length: jobCount }, (_, i) => benchJob(i));
  for (let i = 0; i < jobs.length; i += 250) {
    const put = await api(`${url}/api/v1/jobs`, 'POST', jobs.slice(i, i + 250));
    if (put.status !== 201 && put.status !== 200) throw new Error(`POST /jobs: ${put.status} ${JSON.stringify(put.body)}`);
  }
  for (let round = 0; round < runsPerJob; round++) {
    for (let i = 0; i < jobs.length; i += 50) {
      await Promise.all(jobs.slice(i, i + 50).map((j) => api(`${url}/api/v1/jobs/${j.name}/run`, 'POST')));
    }
  }
  const expected = jobCount * runsPerJob;
  return eventually(
    async () => {
      const active = await api<{ runs: unknown[] }>(`${url}/api/v1/runs?status=waiting,queued,launching,running&limit=1`);
      return active.body.runs.length === 0 ? expected : undefined;
    },
    600_000,
    `${expected} runs to finish`,
  );
}

/** Runs in the page before its own scripts: notes when the first row is in the DOM and when it is painted. */
const OBSERVE_FIRST_ROW = `(() => {
  const found = () => {
    const row = document.querySelector(${JSON.stringify(FIRST_ROW)});
    if (!row || row.getBoundingClientRect().height === 0) return false;
    globalThis.__firstRowAt = performance.now();
    requestAnimationFrame(() => requestAnimationFrame(() => { globalThis.__firstRowPaintedAt = performance.now(); }));
    return true;
  };
  const observer = new MutationObserver(() => { if (found()) observer.disconnect(); });
  observer.observe(document, { childList: true, subtree: true });
})();`;

interface LoadTimes {
  domContentLoadedMs: number;
  loadMs: number;
  firstRowMs: number;
  firstRowPaintedMs: number;
  rowsShown: number;
  api: { path: string; startMs: number; endMs: number; bytes: number }[];
}

const dir = tempDir('moroccron-bench-ui-');
const server = await startServerProcess(dir.path);
const browser = await launchBrowser();
try {
  const runs = await populate(server.url);
  await browser.context.addInitScript(OBSERVE_FIRST_ROW);
  const samples: LoadTimes[] = [];
  for (let i = 0; i < loads; i++) {
    const page = await browser.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await page.goto(server.url);
    await page.waitForFunction(() => (globalThis as { __firstRowPaintedAt?: number }).__firstRowPaintedAt, null, { timeout: 30_000 });
    samples.push(
      await page.evaluate((selector) => {
        interface Timing { name: string; startTime: number; responseEnd: number; transferSize: number; domContentLoadedEventEnd: number; loadEventEnd: number }
        const g = globalThis as unknown as {
          __firstRowAt: number;
          __firstRowPaintedAt: number;
          performance: { getEntriesByType(type: string): Timing[] };
          document: { querySelectorAll(selector: string): { length: number } };
        };
        const nav = g.performance.getEntriesByType('navigation')[0]!;
        const calls = g.performance
          .getEntriesByType('resource')
          .map((e) => ({ url: new URL(e.name), e }))
          .filter(({ url }) => url.pathname.startsWith('/api/'))
          .map(({ url, e }) => ({ path: url.pathname + url.search, startMs: e.startTime, endMs: e.responseEnd, bytes: e.transferSize }));
        return {
          domContentLoadedMs: nav.domContentLoadedEventEnd,
          loadMs: nav.loadEventEnd,
          firstRowMs: g.__firstRowAt,
          firstRowPaintedMs: g.__firstRowPaintedAt,
          rowsShown: g.document.querySelectorAll(selector).length,
          api: calls,
        };
      }, FIRST_ROW),
    );
    await cdp.detach();
    await page.close();
  }
  browser.assertNoErrors();
  const stat = (pick: (s: LoadTimes) => number) => {
    const xs = samples.map(pick);
    return { median: round(quantile(xs, 0.5)), p99: round(quantile(xs, 0.99)), min: round(Math.min(...xs)), max: round(Math.max(...xs)) };
  };
  // The list itself (every job, or a page with many), not the `?limit=1` count asked first.
  const jobsCall = (s: LoadTimes) => s.api.find((c) => c.path.startsWith('/api/v1/jobs?') && c.path.includes('recent='));
  const results = {
    benchmark: 'ui-load',
    node: process.version,
    when: new Date().toISOString(),
    jobs: jobCount,
    runs,
    loads,
    firstRowPaintedMs: stat((s) => s.firstRowPaintedMs),
    firstRowMs: stat((s) => s.firstRowMs),
    domContentLoadedMs: stat((s) => s.domContentLoadedMs),
    jobsCallMs: stat((s) => (jobsCall(s)?.endMs ?? NaN) - (jobsCall(s)?.startMs ?? NaN)),
    jobsCallBytes: jobsCall(samples[0]!)?.bytes ?? null,
    rowsShown: samples[0]!.rowsShown,
    samples: samples.map((s) => ({ ...s, api: s.api.map((c) => ({ ...c, startMs: round(c.startMs), endMs: round(c.endMs) })) })),
  };
  console.log(JSON.stringify(results, null, 2));
  if (values.table) {
    console.error('\n| jobs | runs | first row painted: median | p99 | DOMContentLoaded: median | p99 | GET /api/v1/jobs: median | p99 | its size | rows shown |');
    console.error('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    const ms = (s: { median: number; p99: number }) => `${s.median} ms | ${s.p99} ms`;
    const size = results.jobsCallBytes === null ? '—' : `${(results.jobsCallBytes / 1024 / 1024).toFixed(2)} MiB`;
    console.error(`| ${jobCount} | ${runs} | ${ms(results.firstRowPaintedMs)} | ${ms(results.domContentLoadedMs)} | ${ms(results.jobsCallMs)} | ${size} | ${results.rowsShown} |`);
  }
} finally {
  await browser.close();
  await server.stop();
  dir.remove();
}
