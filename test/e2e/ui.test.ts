/**
 * The web UI in a real browser (Debian's chromium, through playwright-core) against a real
 * `moroccron serve` on the local backend with real jobs: the jobs list and its search; a
 * schedule typo shown inline in the YAML editor, then fixed; run now and the run finishing
 * live; its log followed while it is written; kill; pause; a three-job chain whose failure
 * holds back the rest; and the token prompt of a server with --auth tokens. Every page is
 * checked with axe-core and saved as a screenshot in test-artifacts/screenshots/; a console
 * or page error fails the test it happens in.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { chromiumUnavailable, launchBrowser, type UiBrowser } from '../helpers/browser.js';
import { runCli } from '../helpers/cli-process.js';
import { HttpReceiver } from '../helpers/notice-receivers.js';
import { api, eventually, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

interface RunJson {
  id: string;
  job: string;
  status: string;
  usage: { cpuSeconds: number; peakMemoryBytes: number | null } | null;
}

const JOBS = [
  { name: 'report', description: 'The finance numbers, every night in Berlin.', schedule: '30 2 * * *', timezone: 'Europe/Berlin', command: 'echo report', labels: { team: 'finance' }, owners: ['data-team'] },
  { name: 'backup-db', description: 'Dumps the database.', schedule: '0 */6 * * *', command: 'echo dumped', labels: { team: 'platform' } },
  { name: 'cleanup', description: 'Removes old files.', schedule: '0 * * * *', command: 'echo cleaned' },
  { name: 'heartbeat', description: 'Tells the monitor we are alive.', schedule: '*/5 * * * *', command: 'echo beat' },
  { name: 'quick', description: 'A short manual job.', command: 'echo start; sleep 1; echo done' },
  { name: 'chatty', description: 'Writes a line every half second.', command: 'for i in $(seq 1 10); do echo "line $i"; sleep 0.5; done' },
  { name: 'long', description: 'Sleeps for five minutes.', command: 'sleep 300' },
  { name: 'extract', description: 'First step of the pipeline; fails.', command: 'echo extracting; echo "source unreachable" >&2; exit 3', owners: ['data-team'] },
  { name: 'transform', description: 'Second step.', command: 'echo transformed', after: ['extract'], owners: ['data-team'] },
  { name: 'load', description: 'Third step.', command: 'echo loaded', after: ['transform'], owners: ['data-team'] },
];

const unavailable = chromiumUnavailable();

describe('the web UI on the local backend', { skip: unavailable ?? false }, () => {
  const dir = tempDir('moroccron-ui-');
  let server: ServerProcess;
  let browser: UiBrowser;
  let page: Page;
  let webhook: HttpReceiver;

  before(async () => {
    server = await startServerProcess(dir.path);
    // The team's notices go to a receiver of our own: the failure in the chain sends one.
    webhook = await HttpReceiver.start();
    const owner = await api(`${server.url}/api/v1/owners/data-team`, 'PUT', { webhook: `${webhook.url}/data-team`, notifyOn: ['retriesExhausted', 'recovery'] });
    assert.equal(owner.status, 201, JSON.stringify(owner.body));
    const put = await api(`${server.url}/api/v1/jobs`, 'POST', JOBS);
    assert.equal(put.status, 201, JSON.stringify(put.body));
    browser = await launchBrowser();
    page = browser.page;
  });
  after(async () => {
    // The browser first: its event stream would log the server going away as an error.
    await browser?.close();
    await server?.stop();
    await webhook?.stop();
    dir.remove();
  });
  afterEach(() => browser.assertNoErrors());

  /** Marks the document, so a later check can tell that no reload happened since. */
  const markDocument = () => page.evaluate(() => Object.assign(globalThis, { moroccronTestMark: true }));
  const stillSameDocument = () => page.evaluate(() => (globalThis as { moroccronTestMark?: boolean }).moroccronTestMark === true);

  const jobRows = () => page.getByTestId('page-jobs').locator('table tbody tr');

  async function openJob(name: string): Promise<void> {
    await page.goto(`${server.url}/jobs/${name}`);
    await page.getByTestId('page-job').getByRole('heading', { level: 1, name }).waitFor();
    await page.getByRole('button', { name: 'Run now' }).waitFor();
  }

  /** Run now on the job page, then follow the toast's link to the run; the run's id. */
  async function runNowAndWatch(): Promise<string> {
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('link', { name: 'Watch it' }).click();
    await page.getByTestId('page-run').waitFor();
    const id = /\/runs\/([^/?#]+)/.exec(page.url())?.[1];
    assert.ok(id, `not on a run page: ${page.url()}`);
    return decodeURIComponent(id);
  }

  /** A status pill (glyph and word) saying `status`, within `scope`. */
  const statusBadge = (scope: Locator, status: string) => scope.locator('.status').filter({ hasText: new RegExp(`(^|[^a-z])${status}$`) });
  const runStatus = (status: string) => statusBadge(page.getByTestId('page-run').locator('.title-line'), status);

  test('the jobs page lists every job, and the search narrows it; light, dark and phone width', async () => {
    await page.goto(server.url);
    await eventually(async () => ((await jobRows().count()) === JOBS.length ? true : undefined), 10_000, `${JOBS.length} rows`);
    for (const job of JOBS) await page.getByRole('link', { name: job.name, exact: true }).waitFor();
    await browser.checkAccessibility(page, 'the jobs page');
    await browser.screenshot(page, 'jobs');

    await page.emulateMedia({ colorScheme: 'dark' });
    await browser.checkAccessibility(page, 'the jobs page, dark');
    await browser.screenshot(page, 'jobs-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.setViewportSize({ width: 375, height: 800 });
    await browser.checkAccessibility(page, 'the jobs page, 375 px wide');
    await browser.screenshot(page, 'jobs-375');
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByRole('searchbox', { name: 'Search' }).fill('report');
    await eventually(async () => ((await jobRows().count()) === 1 ? true : undefined), 5_000, 'one row for "report"');
    assert.equal((await jobRows().first().getByRole('link').first().textContent())?.trim(), 'report');
    await page.getByText(`1 of ${JOBS.length} jobs`).waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill('team=platform');
    await eventually(async () => ((await jobRows().count()) === 1 ? true : undefined), 5_000, 'one row for the label team=platform');
    assert.equal((await jobRows().first().getByRole('link').first().textContent())?.trim(), 'backup-db');
    await page.getByRole('searchbox', { name: 'Search' }).fill('no-such-job');
    await page.getByText('No job matches').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await eventually(async () => ((await jobRows().count()) === JOBS.length ? true : undefined), 5_000, 'every row back');
  });

  test('a schedule typo in the YAML editor is shown on its line; the fix is saved', async () => {
    await page.getByRole('link', { name: 'report', exact: true }).click();
    await page.getByTestId('page-job').getByRole('heading', { level: 1, name: 'report' }).waitFor();
    const scheduleLine = page.locator('.cm-content .cm-line').filter({ hasText: /^schedule:/ });

    const setSchedule = async (value: string) => {
      await scheduleLine.click();
      await page.keyboard.press('End');
      await page.keyboard.press('Shift+Home');
      await page.keyboard.type(`schedule: ${value}`);
      assert.equal((await scheduleLine.textContent())?.trim(), `schedule: ${value}`);
    };

    await setSchedule('61 2 * * *');
    // The API answers 400 with the field's error; chromium logs the status as a console error.
    await browser.expectingErrors(/status of 400/, async () => {
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByTestId('spec-errors').getByText('schedule').first().waitFor();
    });
    assert.match((await page.getByTestId('spec-errors').textContent()) ?? '', /schedule/);
    // Inline: the line itself is marked, not only the list above the editor.
    await page.locator('.cm-line.cm-error-line').filter({ hasText: /^schedule:/ }).waitFor();
    await browser.checkAccessibility(page, 'the job page showing a field error');
    assert.equal((await api<{ schedule: string }>(`${server.url}/api/v1/jobs/report`)).body.schedule, '30 2 * * *', 'the typo was not saved');

    await setSchedule('30 3 * * *');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    assert.equal(await page.getByTestId('spec-errors').count(), 0);
    assert.equal((await api<{ schedule: string }>(`${server.url}/api/v1/jobs/report`)).body.schedule, '30 3 * * *');
    await page.getByText('At 03:30').first().waitFor();
    await browser.checkAccessibility(page, 'the job page');
    await browser.screenshot(page, 'job');
  });

  test('run now: the run shows up and finishes on the job page, live, without a reload', async () => {
    await openJob('quick');
    await markDocument();
    await page.getByRole('button', { name: 'Run now' }).click();
    const runs = page.getByRole('table', { name: 'Runs, newest first' }).locator('tbody tr');
    await runs.first().waitFor();
    await statusBadge(runs.first(), 'succeeded').waitFor({ timeout: 15_000 });
    assert.ok(await stillSameDocument(), 'the page was reloaded');
    const stored = (await api<{ runs: RunJson[] }>(`${server.url}/api/v1/jobs/quick/runs`)).body.runs;
    assert.deepEqual(
      stored.map((r) => r.status),
      ['succeeded'],
    );
  });

  test("the run page follows a run's log while it is written, then shows the end", async () => {
    await openJob('chatty');
    const id = await runNowAndWatch();
    await markDocument();
    const stdout = page.getByTestId('log-stdout');
    await runStatus('running').waitFor({ timeout: 10_000 });
    await stdout.getByText(/line 2/).waitFor({ timeout: 10_000 });
    // Still running, and more lines still to come: the log is being followed, not read at the end.
    assert.ok((await runStatus('running').count()) === 1, 'the run should still be running');
    assert.doesNotMatch((await stdout.textContent()) ?? '', /line 10/);
    await page.getByText('Following: new output appears as it is written.').waitFor();
    await stdout.getByText(/line 10/).waitFor({ timeout: 15_000 });
    await runStatus('succeeded').waitFor({ timeout: 10_000 });
    await page.getByText('End of log: the run has finished.').waitFor({ timeout: 5_000 });
    assert.ok(await stillSameDocument(), 'the page was reloaded');
    const finished = (await api<RunJson>(`${server.url}/api/v1/runs/${id}`)).body;
    assert.equal(finished.status, 'succeeded');
    // What it used, where the host measures it (cgroups: local-isolation.test.ts fails under CI=true without them).
    const { isolation } = (await api<{ isolation: { mode: string } }>(`${server.url}/api/v1/cluster`)).body;
    assert.equal(finished.usage !== null, isolation.mode !== 'none');
    if (finished.usage !== null) await page.getByText(/of CPU, .* of memory at most/).waitFor();
    await browser.checkAccessibility(page, 'the run page');
    await browser.screenshot(page, 'run');
  });

  test('a long run is killed from its page', async () => {
    await openJob('long');
    const id = await runNowAndWatch();
    await runStatus('running').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Kill…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Kill this run of long?' });
    await browser.checkAccessibility(page, 'the run page with the kill dialog open');
    await dialog.getByRole('button', { name: 'Kill the run' }).click();
    await runStatus('killed').waitFor({ timeout: 15_000 });
    assert.equal((await api<RunJson>(`${server.url}/api/v1/runs/${id}`)).body.status, 'killed');
    assert.equal(await page.getByRole('button', { name: 'Kill…' }).count(), 0, 'a killed run offers no kill');
  });

  test('a job is paused from its page, and resumed', async () => {
    await openJob('cleanup');
    await page.getByRole('group', { name: 'Job actions' }).getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('group', { name: 'Job actions' }).getByRole('button', { name: 'Resume' }).waitFor();
    assert.equal((await api<{ paused: boolean }>(`${server.url}/api/v1/jobs/cleanup`)).body.paused, true);
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Resume cleanup' }).waitFor();
    await page.getByRole('button', { name: 'Resume cleanup' }).click();
    await page.getByRole('button', { name: 'Pause cleanup' }).waitFor();
    assert.equal((await api<{ paused: boolean }>(`${server.url}/api/v1/jobs/cleanup`)).body.paused, false);
  });

  test("the graph of a three-job chain: the first fails, and what waits on it is held back, live", async () => {
    await page.goto(`${server.url}/jobs/extract/graph`);
    const canvas = page.getByTestId('graph-canvas');
    for (const name of ['extract', 'transform', 'load']) await canvas.getByRole('link', { name: new RegExp(`^${name}`) }).waitFor();
    assert.equal(await page.getByTestId('graph-failures').count(), 0, 'nothing has failed yet');
    await markDocument();

    assert.equal((await api(`${server.url}/api/v1/jobs/extract/run`, 'POST')).status, 201);
    const failures = page.getByTestId('graph-failures');
    await failures.getByText(/extract failed/).waitFor({ timeout: 15_000 });
    assert.match((await failures.textContent()) ?? '', /2 jobs wait on it \(load, transform\)/);
    await eventually(async () => ((await canvas.locator('.gnode-held').count()) === 2 ? true : undefined), 5_000, 'two nodes held back');
    const held = await canvas.locator('.gnode-held .gnode-name').allTextContents();
    assert.deepEqual(held.sort(), ['load', 'transform']);
    await canvas.locator('.gnode-failed').getByText('extract').waitFor();
    assert.ok(await stillSameDocument(), 'the page was reloaded');

    const graph = (await api<{ descendants: { name: string; state: string }[] }>(`${server.url}/api/v1/jobs/extract/graph`)).body;
    assert.deepEqual(
      graph.descendants.map((d) => [d.name, d.state]).sort(),
      [
        ['load', 'blocked-by-failure'],
        ['transform', 'blocked-by-failure'],
      ],
    );
    await browser.checkAccessibility(page, 'the graph page');
    await browser.screenshot(page, 'graph');

    await canvas.getByRole('link', { name: /^transform/ }).click();
    await page.getByTestId('page-job').getByRole('heading', { level: 1, name: 'transform' }).waitFor();
  });

  test('the timeline, cluster and owners pages', async () => {
    await page.goto(`${server.url}/timeline`);
    await page.getByTestId('page-timeline').getByRole('table').first().waitFor();
    await page.getByTestId('page-timeline').getByText('heartbeat').first().waitFor();
    await browser.checkAccessibility(page, 'the timeline page');
    await browser.screenshot(page, 'timeline');

    await page.goto(`${server.url}/cluster`);
    await page.getByTestId('agent').first().waitFor();
    await page.getByTestId('cluster-facts').getByText('local (runs on this host)').waitFor();
    await page.getByTestId('cluster-facts').getByText(/each run in its own cgroups|none: resources are only counted/).waitFor();
    await page.getByTestId('cluster-facts').getByText(/^(podman|docker) \S+$|none: jobs with an image are refused/).waitFor();
    await browser.checkAccessibility(page, 'the cluster page');
    await browser.screenshot(page, 'cluster');

    await page.goto(`${server.url}/owners`);
    const owner = page.locator('[data-testid="owner"][data-owner="data-team"]');
    await owner.getByText(`${webhook.url}/data-team`).first().waitFor();
    for (const job of ['extract', 'report']) await owner.getByRole('link', { name: job, exact: true }).first().waitFor();
    await browser.checkAccessibility(page, 'the owners page');
    await browser.screenshot(page, 'owners');
  });
});

describe('the web UI on a server with --auth tokens', { skip: unavailable ?? false }, () => {
  const dir = tempDir('moroccron-ui-auth-');
  let server: ServerProcess;
  let browser: UiBrowser;
  let token: string;

  before(async () => {
    const made = await runCli(['token', 'create', '--role', 'admin', '--name', 'ui-test', '--data-dir', dir.path]);
    assert.equal(made.code, 0, made.stderr);
    token = made.stdout.trim();
    server = await startServerProcess(dir.path, ['--auth', 'tokens']);
    const put = await fetch(`${server.url}/api/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'guarded', schedule: '@hourly', command: 'true' }),
    });
    assert.equal(put.status, 201);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    dir.remove();
  });
  afterEach(() => browser.assertNoErrors());

  test('the UI asks for a token, refuses a wrong one, and shows the jobs with the right one', async () => {
    const page = browser.page;
    // Without a token every API call is answered 401, which chromium logs; that is the point here.
    await browser.expectingErrors(/status of 401/, async () => {
      await page.goto(server.url);
      await page.getByTestId('page-login').waitFor();
      assert.equal(await page.getByTestId('page-jobs').count(), 0, 'no page without a token');
      await browser.checkAccessibility(page, 'the login page');
      await browser.screenshot(page, 'login');

      await page.getByLabel('API token').fill('mcr_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').getByText('The server did not accept this token.', { exact: false }).waitFor();
      await browser.checkAccessibility(page, 'the login page refusing a token');

      await page.getByLabel('API token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('page-jobs').getByRole('link', { name: 'guarded', exact: true }).waitFor();
    });
    assert.equal(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('moroccron.token')), token);
    // Kept for the tab: a reload goes straight to the jobs.
    await page.reload();
    await page.getByTestId('page-jobs').getByRole('link', { name: 'guarded', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByTestId('page-login').waitFor();
  });
});
