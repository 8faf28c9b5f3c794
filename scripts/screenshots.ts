/**
 * The README's screenshots (docs/screenshots/*.png, light, 1280x800) from a demo state made
 * here: `moroccron serve --backend mesos` on the in-repo Mesos sim (three agents, one of them
 * blacklisted), eighteen jobs of a made-up shop with a few runs each, a pipeline whose first
 * step has just failed, an owner, and one long job holding resources. Needs the build and
 * Debian's chromium:
 *   npm run build && node --import tsx scripts/screenshots.ts [--out docs/screenshots]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { startMesosSim } from '../src/mesos/sim/index.js';
import { CHROMIUM, launchBrowser } from '../test/helpers/browser.js';
import { HttpReceiver } from '../test/helpers/notice-receivers.js';
import { api, BIN, eventually, startServerProcess, tempDir } from '../test/helpers/server-process.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: join('docs', 'screenshots') } } });
for (const [what, path] of [['the built server (npm run build)', BIN], ['the built UI (npm run build)', join('dist', 'ui', 'index.html')], ['chromium', CHROMIUM]] as const) {
  if (!existsSync(path)) {
    console.error(`screenshots: ${what} is missing (${path})`);
    process.exit(2);
  }
}

const dir = tempDir('moroccron-screenshots-');
/** The pipeline's first step fails while this file exists. */
const outage = join(dir.path, 'source-unreachable');
/** A random pause of up to `max` tenths of a second, so durations vary like real ones (sh has no $RANDOM). */
const pause = (max: number) => `sleep "0.$(( $(od -An -N1 -tu1 /dev/urandom) % ${max} ))"`;

const OWNERS = { 'data-team': ['extract', 'transform', 'load', 'nightly-report'], platform: ['backup-db', 'rotate-logs', 'sync-inventory'] };

const JOBS = [
  { name: 'nightly-report', description: 'Sales report for the Berlin office, 02:30 local time.', schedule: '30 2 * * *', timezone: 'Europe/Berlin', dst: { gap: 'next', overlap: 'once' }, command: `echo "building the report"; ${pause(9)}; echo "wrote report-$(date -u +%F).pdf"`, labels: { team: 'data' } },
  { name: 'backup-db', description: 'Dumps the orders database to object storage.', schedule: '0 */6 * * *', command: `for t in customers orders order_items invoices payments products reviews shipments; do echo "$(date -u +%T) dumping $t: $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') rows"; ${pause(3)}; done; echo "$(date -u +%T) uploaded orders-$(date -u +%F-%H).sql.gz (412 MiB)"`, resources: { cpus: 0.5, mem: 512 }, labels: { team: 'platform' } },
  { name: 'rotate-logs', description: 'Compresses yesterday\'s logs.', schedule: '@daily', command: `echo rotated; ${pause(3)}`, labels: { team: 'platform' } },
  { name: 'sync-inventory', description: 'Pulls stock levels from the warehouse API.', schedule: '*/15 * * * *', command: `echo "synced $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') items"; ${pause(9)}`, labels: { team: 'platform' } },
  { name: 'send-digest', description: 'Morning e-mail digest for the New York team.', schedule: '0 8 * * 1-5', timezone: 'America/New_York', command: `echo "sent 57 digests"; ${pause(4)}`, labels: { team: 'growth' } },
  { name: 'billing-invoices', description: 'Issues the monthly invoices.', schedule: '0 0 1 * *', command: `echo "issued invoices"; ${pause(9)}`, labels: { team: 'finance' } },
  { name: 'warm-cache', description: 'Warms the product page cache.', schedule: '*/5 * * * *', command: `echo warmed; ${pause(3)}`, labels: { team: 'web' } },
  { name: 'sitemap', description: 'Regenerates the sitemap at midnight.', schedule: '0 0 * * *', command: `echo "sitemap.xml: 18,204 URLs"; ${pause(5)}`, labels: { team: 'web' } },
  { name: 'expire-carts', description: 'Empties carts idle for a week.', schedule: '0 0 * * *', command: `echo "expired 311 carts"; ${pause(2)}`, labels: { team: 'web' } },
  { name: 'fraud-scores', description: 'Scores yesterday\'s orders; fails when the model server is busy.', schedule: '0 1 * * *', command: `n=$(od -An -N1 -tu1 /dev/urandom); ${pause(6)}; [ "$n" -lt 180 ] || { echo "model server busy" >&2; exit 1; }; echo scored`, retries: { max: 1, backoff: '1s' }, labels: { team: 'risk' } },
  { name: 'ml-train', description: 'Retrains the recommender on the big agent.', schedule: '0 3 * * 0', command: 'echo "epoch 1/40"; sleep 600', resources: { cpus: 3, mem: 6144 }, constraints: [['size', 'EQUALS', 'big']], labels: { team: 'data' } },
  { name: 'legacy-export', description: 'Old CSV export; paused until the partner is back.', schedule: '0 4 * * *', command: 'echo exported', paused: true, labels: { team: 'finance' } },
  { name: 'extract', description: 'Step 1 of the warehouse pipeline.', schedule: '0 * * * *', triggers: { onFailure: ['open-ticket'] }, command: `echo "reading from the source"; ${pause(5)}; if [ -e ${outage} ]; then echo "source unreachable: connection refused" >&2; exit 3; fi; echo "extracted 25,000 rows"`, labels: { team: 'data', pipeline: 'warehouse' } },
  { name: 'transform', description: 'Step 2: runs after each success of extract.', command: `echo "transformed"; ${pause(5)}`, after: ['extract'], labels: { team: 'data', pipeline: 'warehouse' } },
  { name: 'load', description: 'Step 3: loads into the warehouse.', command: `echo "loaded"; ${pause(4)}`, after: ['transform'], labels: { team: 'data', pipeline: 'warehouse' } },
  { name: 'quality-check', description: 'Checks the transformed rows.', command: `echo "0 bad rows"; ${pause(3)}`, after: ['transform'], labels: { team: 'data', pipeline: 'warehouse' } },
  { name: 'publish-dashboard', description: 'Once loaded and checked.', command: `echo "published"; ${pause(3)}`, after: ['load', 'quality-check'], labels: { team: 'data', pipeline: 'warehouse' } },
  { name: 'open-ticket', description: 'Started when extract fails.', command: 'echo "opened DATA-$(od -An -N1 -tu1 /dev/urandom | tr -d \' \')"', labels: { team: 'data', pipeline: 'warehouse' } },
].map((job) => ({ resources: { cpus: 0.1, mem: 64 }, concurrency: 'allow', ...job, owners: Object.entries(OWNERS).filter(([, jobs]) => jobs.includes(job.name)).map(([owner]) => owner) }));

async function main(): Promise<void> {
  const receiver = await HttpReceiver.start();
  const sim = await startMesosSim({ agents: 3, cpus: 8, mem: 16384, heartbeatIntervalSeconds: 1, allocationIntervalMs: 200, attributes: (i) => ({ rack: `r${(i % 2) + 1}`, zone: i === 2 ? 'eu-west-1b' : 'eu-west-1a', size: i === 0 ? 'big' : 'small' }) });
  const server = await startServerProcess(join(dir.path, 'data'), ['--backend', 'mesos', '--mesos-master', sim.url, '--ui-url', 'https://cron.example.com']);
  const browser = await launchBrowser();
  try {
    const call = async (method: string, path: string, body?: unknown) => {
      const answer = await api(`${server.url}${path}`, method, body);
      if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body;
    };
    for (const owner of Object.keys(OWNERS)) await call('PUT', `/api/v1/owners/${owner}`, { webhook: `${receiver.url}/${owner}`, notifyOn: ['retriesExhausted', 'recovery', 'late'] });
    await call('POST', '/api/v1/jobs', JOBS);
    await eventually(async () => ((await api<{ agents: unknown[] }>(`${server.url}/api/v1/agents`)).body.agents.length === 3 ? true : undefined), 20_000, 'three agents');

    // History: rounds of runs of every job but the long and the paused ones, each round to its end.
    const runnable = JOBS.filter((j) => !j.paused && j.name !== 'ml-train' && j.name !== 'open-ticket' && j.after === undefined).map((j) => j.name);
    const rounds = 12;
    for (let round = 0; round < rounds; round++) {
      if (round === rounds - 1) writeFileSync(outage, 'the last extract fails\n');
      const started = await Promise.all(runnable.filter((name, i) => round < 4 || name === 'extract' || (i + round) % 3 !== 0).map((name) => call('POST', `/api/v1/jobs/${name}/run`) as Promise<{ id: string }>));
      await eventually(
        async () => {
          const active = await api<{ runs: unknown[] }>(`${server.url}/api/v1/runs?status=waiting,queued,launching,running&limit=20`);
          // transform and load run after extract; `waiting` ones are held by the failure at the end.
          const busy = (active.body.runs as { status: string; job: string }[]).filter((r) => r.status !== 'waiting' && r.job !== 'ml-train');
          return busy.length === 0 && started.length > 0 ? true : undefined;
        },
        60_000,
        `round ${round + 1} of the demo runs`,
      );
    }
    await call('POST', '/api/v1/jobs/ml-train/run');
    const agents = (await call('GET', '/api/v1/agents')) as { agents: { id: string }[] };
    // The second agent in the list (they are shown by id), so the screenshot shows it.
    const second = agents.agents.map((a) => a.id).sort()[1]!;
    await call('PUT', `/api/v1/agents/${second}/blacklist`, { reason: 'disk replacement, ticket OPS-1432' });
    await eventually(async () => ((await activeRun(server.url, 'ml-train')) ? true : undefined), 20_000, 'ml-train running');
    // What tasks hold comes from the master's state, which the backend reads every 30 s.
    await eventually(
      async () => ((await api<{ agents: { used: { cpus: number } }[] }>(`${server.url}/api/v1/agents`)).body.agents.some((a) => a.used.cpus >= 3) ? true : undefined),
      40_000,
      "ml-train's resources in the agents' view",
    );

    const out = values.out;
    mkdirSync(out, { recursive: true });
    const page = browser.page;
    const shoot = async (name: string, path: string, ready: (page: Page) => Promise<unknown>) => {
      await page.goto(`${server.url}${path}`);
      await ready(page);
      // Fonts and the last layout pass (the graph fits its view after mounting).
      await page.evaluate(() => (globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } } }).document.fonts.ready);
      await page.waitForTimeout(400);
      const file = await browser.screenshot(page, name, { viewportOnly: true, path: join(out, `${name}.png`) });
      console.error(`wrote ${file}`);
    };

    const backup = (await call('GET', '/api/v1/jobs/backup-db/runs?limit=1')) as { runs: { id: string }[] };
    await shoot('jobs', '/', (p) => p.getByTestId('page-jobs').locator('table tbody tr').nth(JOBS.length - 1).waitFor());
    await shoot('job', '/jobs/nightly-report', (p) => p.getByRole('table', { name: 'Runs, newest first' }).waitFor());
    await shoot('run', `/runs/${backup.runs[0]!.id}`, (p) => p.getByText('End of log: the run has finished.').waitFor());
    await shoot('graph', '/jobs/extract/graph', (p) => p.getByTestId('graph-failures').waitFor());
    await shoot('timeline', '/timeline', (p) => p.getByTestId('page-timeline').getByRole('table').first().waitFor());
    await shoot('cluster', '/cluster', (p) => p.getByTestId('agent').nth(2).waitFor());
    browser.assertNoErrors();
  } finally {
    await browser.close();
    await server.stop();
    await sim.close();
    await receiver.stop();
    dir.remove();
  }
}

async function activeRun(url: string, job: string): Promise<boolean> {
  const runs = (await api<{ runs: { status: string }[] }>(`${url}/api/v1/jobs/${job}/runs?limit=1`)).body.runs;
  return runs[0]?.status === 'running';
}

await main();
