/**
 * The operator pages of the web UI in a real browser (Debian's chromium via playwright-core)
 * against real servers: the graph (a failure's held-back subtree, keyboard, live states), the
 * timeline (busiest buckets, the time slider, per-minute resolution, the filter), the owners
 * (contacts without secrets, a test notice answered per channel, each card asking for its own
 * owner's jobs a page at a time) and the cluster page, on the
 * local backend (whose 409 to a blacklist is shown) and on `moroccron mesos-sim` (an agent
 * blacklisted with a reason, then let back). Each page is checked with axe-core and saved as a
 * screenshot; a console or page error fails the test it happens in.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Page, Request } from 'playwright-core';
import { chromiumUnavailable, launchBrowser, type UiBrowser } from '../helpers/browser.js';
import { HttpReceiver } from '../helpers/notice-receivers.js';
import { BIN, api, eventually, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

const unavailable = chromiumUnavailable();
/** Chromium logs every non-2xx fetch as a console error; the pages show these answers on purpose. */
const HTTP_409 = /status of 409/;

const PIPELINE = [
  { name: 'extract', command: 'echo extracting; echo "source unreachable" >&2; exit 3', triggers: { onFailure: ['page-oncall'] }, owners: ['data-team'] },
  { name: 'transform', command: 'echo transformed', after: ['extract'], owners: ['data-team'] },
  { name: 'load', command: 'echo loaded', after: ['transform'], owners: ['data-team', 'platform'] },
  { name: 'page-oncall', command: 'echo paged' },
];
/** Three jobs at midnight UTC and one every five minutes: the midnight bucket is the busiest. */
const SCHEDULED = [
  { name: 'nightly-a', schedule: '0 0 * * *', command: 'true' },
  { name: 'nightly-b', schedule: '0 0 * * *', command: 'true' },
  { name: 'nightly-c', schedule: '0 0 * * *', command: 'true' },
  { name: 'every-5', schedule: '*/5 * * * *', command: 'true' },
];

describe('the graph, timeline, owners and cluster pages on the local backend', { skip: unavailable ?? false }, () => {
  const dir = tempDir('moroccron-ui-ops-');
  let server: ServerProcess;
  let browser: UiBrowser;
  let page: Page;
  let receiver: HttpReceiver;

  before(async () => {
    // Every channel goes to a receiver of our own; its PagerDuty endpoint is down.
    receiver = await HttpReceiver.start();
    receiver.answer = (_n, request) => (request.path.startsWith('/pagerduty') ? { status: 503, body: 'down for maintenance' } : { status: 200, body: 'ok' });
    server = await startServerProcess(dir.path, ['--pagerduty-url', `${receiver.url}/pagerduty`]);
    const owners = [
      { name: 'data-team', webhook: { url: `${receiver.url}/data-team?token=hidden-token`, secret: 'webhook-secret-value' }, pagerdutyRoutingKey: 'ROUTINGKEY000000000000000000wxyz' },
      { name: 'platform', slackWebhook: `${receiver.url}/slack/T000/B000/SLACKSECRET`, mute: '2031-01-01T00:00:00Z' },
      { name: 'nobody' },
    ];
    const putOwners = await api(`${server.url}/api/v1/owners`, 'POST', owners);
    assert.equal(putOwners.status, 201, JSON.stringify(putOwners.body));
    const put = await api(`${server.url}/api/v1/jobs`, 'POST', [...PIPELINE, ...SCHEDULED]);
    assert.equal(put.status, 201, JSON.stringify(put.body));
    // An opt-out names a job, so it comes once the jobs exist.
    const optOut = await api(`${server.url}/api/v1/owners/platform`, 'PUT', { ...owners[1], optOut: ['load'] });
    assert.equal(optOut.status, 200, JSON.stringify(optOut.body));
    browser = await launchBrowser();
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await receiver?.stop();
    dir.remove();
  });
  afterEach(() => browser.assertNoErrors());

  test('the graph holds back the failed job’s subtree, opens jobs by keyboard and follows runs live', async () => {
    assert.equal((await api(`${server.url}/api/v1/jobs/extract/run`, 'POST')).status, 201);
    await eventually(async () => ((await api<{ job: { state: string } }>(`${server.url}/api/v1/jobs/extract/graph`)).body.job.state === 'failed' ? true : undefined), 15_000, 'extract to fail');

    await page.goto(`${server.url}/jobs/load/graph`);
    const canvas = page.getByTestId('graph-canvas');
    await canvas.locator('.gnode-failed', { hasText: 'extract' }).waitFor();
    for (const held of ['transform', 'load']) await canvas.locator('.gnode-held', { hasText: held }).getByText('waits on failed extract').waitFor();
    assert.match((await page.getByTestId('graph-failures').textContent()) ?? '', /extract failed: 2 jobs wait on it \(load, transform\)/);
    await browser.checkAccessibility(page, 'the graph page');
    await browser.screenshot(page, 'ops-graph-failed');

    // Keyboard: the nodes are links in column order; Enter opens the job.
    await canvas.getByRole('link', { name: /^extract/ }).focus();
    await page.keyboard.press('Tab');
    assert.match((await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent)) ?? '', /^transform/);
    await page.keyboard.press('Enter');
    await page.getByTestId('page-job').getByRole('heading', { level: 1, name: 'transform' }).waitFor();

    // Live: extract fixed and run again; the graph follows without a reload.
    await page.goto(`${server.url}/jobs/load/graph`);
    await canvas.locator('.gnode-failed', { hasText: 'extract' }).waitFor();
    await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
    const fixed = { ...PIPELINE[0], command: 'sleep 1; echo extracted' };
    assert.equal((await api(`${server.url}/api/v1/jobs/extract`, 'PUT', fixed)).status, 200);
    assert.equal((await api(`${server.url}/api/v1/jobs/extract/run`, 'POST')).status, 201);
    await canvas.locator('.gnode-running', { hasText: 'extract' }).waitFor({ timeout: 10_000 });
    await canvas.locator('.gnode-ok', { hasText: 'load' }).waitFor({ timeout: 20_000 });
    assert.equal(await canvas.locator('.gnode-held').count(), 0);
    assert.ok(await page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument), 'the page was reloaded');
  });

  test('the timeline names the busiest buckets, moves by keyboard and zooms to minutes', async () => {
    await page.goto(`${server.url}/timeline`);
    const timeline = page.getByTestId('page-timeline');
    const busiest = page.getByTestId('timeline-busiest').getByRole('listitem').first();
    // Midnight UTC (in the viewer's zone, whichever it is) holds the three nightly jobs and every-5.
    await busiest.getByText(/: 4 runs from 4 jobs/).waitFor();
    await browser.checkAccessibility(page, 'the timeline page');
    await browser.screenshot(page, 'ops-timeline');

    // The slider starts at the busiest bucket; a neighbour holds every-5 alone.
    const slider = timeline.getByRole('slider', { name: 'Selected time' });
    assert.match((await slider.getAttribute('aria-valuetext')) ?? '', /: 4 runs from 4 jobs$/);
    await slider.focus();
    const atEnd = (await slider.getAttribute('aria-valuenow')) === (await slider.getAttribute('aria-valuemax'));
    await page.keyboard.press(atEnd ? 'ArrowLeft' : 'ArrowRight');
    assert.match((await slider.getAttribute('aria-valuetext')) ?? '', /: 1 run from 1 job$/);
    await page.keyboard.press('Home');
    assert.equal(await slider.getAttribute('aria-valuenow'), '0');

    await timeline.getByLabel('Filter jobs').fill('nightly');
    await eventually(async () => ((await timeline.locator('[data-job]').count()) === 3 ? true : undefined), 5_000, 'the filter to leave the nightly jobs');

    await timeline.getByRole('radio', { name: 'Per minute' }).check();
    await timeline.getByText('Runs per minute, per job:').waitFor();
    await timeline.getByRole('combobox', { name: /^Hour/ }).waitFor();
    assert.equal(await timeline.getByRole('slider').getAttribute('aria-valuemax'), '59');
    await browser.screenshot(page, 'ops-timeline-minutes');
  });

  test('owners show contacts without their secrets and what each channel said to a test notice', async () => {
    await page.goto(`${server.url}/owners`);
    const team = page.locator('[data-testid="owner"][data-owner="data-team"]');
    await team.getByText(`${receiver.url}/data-team?…`).waitFor();
    await team.getByText('set (hidden)').waitFor();
    const text = (await page.getByTestId('page-owners').textContent()) ?? '';
    const answer = await (await fetch(`${server.url}/api/v1/owners`)).text();
    for (const secret of ['webhook-secret-value', 'ROUTINGKEY', 'SLACKSECRET']) assert.ok(!answer.includes(secret), `the API shows ${secret}`);
    for (const secret of ['webhook-secret-value', 'hidden-token', 'ROUTINGKEY', 'SLACKSECRET']) assert.ok(!text.includes(secret), `the page shows ${secret}`);
    for (const job of ['extract', 'transform', 'load']) await team.getByRole('link', { name: job, exact: true }).waitFor();
    await page.locator('[data-owner="platform"]').getByText('muted until').waitFor();

    await team.getByRole('button', { name: 'Send a test notice' }).click();
    await team.getByText('Webhook: delivered').waitFor();
    await team.getByText('PagerDuty: failed').waitFor();
    assert.ok(receiver.requests.some((r) => r.path.startsWith('/data-team')), 'the webhook got no test notice');

    const nobody = page.locator('[data-testid="owner"][data-owner="nobody"]');
    await browser.expectingErrors(HTTP_409, async () => {
      await nobody.getByRole('button', { name: 'Send a test notice' }).click();
      await nobody.getByText(/has no channel/).waitFor();
    });
    await browser.checkAccessibility(page, 'the owners page');
    await browser.screenshot(page, 'ops-owners');
  });

  test('an owner card asks for its own jobs a page at a time, counts them all and follows changes', async () => {
    const owner = 'bulk-team';
    assert.equal((await api(`${server.url}/api/v1/owners/${owner}`, 'PUT', {})).status, 201);
    // 30 jobs: more than a card lists (12), so the count comes from the server's total.
    const bulk = Array.from({ length: 30 }, (_, i) => ({ name: `bulk-${String(i).padStart(2, '0')}`, command: 'true', owners: [owner] }));
    const put = await api(`${server.url}/api/v1/jobs`, 'POST', bulk);
    assert.equal(put.status, 201, JSON.stringify(put.body));

    const jobListRequests: URLSearchParams[] = [];
    const watch = (request: Request) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/v1/jobs') jobListRequests.push(url.searchParams);
    };
    page.on('request', watch);
    try {
      await page.goto(`${server.url}/owners`);
      const card = page.locator(`[data-testid="owner"][data-owner="${owner}"]`);
      const bulkLinks = card.getByRole('link', { name: /^bulk-\d+/ });
      await card.getByRole('heading', { level: 3, name: '30 jobs', exact: true }).waitFor();
      assert.equal(await bulkLinks.count(), 12);
      await page.locator('[data-owner="data-team"]').getByRole('heading', { level: 3, name: '3 jobs', exact: true }).waitFor();

      await card.getByRole('button', { name: '18 more' }).click();
      await eventually(async () => ((await bulkLinks.count()) === 30 ? true : undefined), 5_000, 'every bulk job to be listed');
      await card.getByRole('button', { name: 'Fewer' }).waitFor();

      // Live: a new job of this owner and a pause show without a reload.
      assert.equal((await api(`${server.url}/api/v1/jobs/bulk-30`, 'PUT', { command: 'true', owners: [owner] })).status, 201);
      await card.getByRole('heading', { level: 3, name: '31 jobs', exact: true }).waitFor();
      await card.getByRole('link', { name: 'bulk-30', exact: true }).waitFor();
      assert.equal((await api(`${server.url}/api/v1/jobs/bulk-29/pause`, 'POST')).status, 200);
      await card.getByRole('link', { name: 'bulk-29 (paused)' }).waitFor();

      // The filter finds an owner by a job its card does not list.
      await card.getByRole('button', { name: 'Fewer' }).click();
      await page.getByLabel('Filter owners').fill('bulk-29');
      await eventually(async () => ((await page.getByTestId('owner').count()) === 1 ? true : undefined), 5_000, 'the filter to leave one owner');
      assert.equal(await page.getByTestId('owner').getAttribute('data-owner'), owner);
      await page.getByLabel('Filter owners').fill('');
      await browser.checkAccessibility(page, 'the owners page with many jobs');
      await browser.screenshot(page, 'ops-owners-many-jobs');
    } finally {
      page.off('request', watch);
    }
    assert.ok(jobListRequests.length > 0, 'the owners page asked for no jobs');
    for (const params of jobListRequests) {
      const limit = Number(params.get('limit'));
      assert.ok(limit >= 1 && limit <= 1000, `a job list request without a page limit: ?${params.toString()}`);
    }
    assert.ok(jobListRequests.some((p) => p.get('owner') === owner && p.get('limit') === '12'), 'the card did not ask for its first 12 jobs');

    // The card links to the jobs page filtered by the owner.
    await page.locator(`[data-owner="${owner}"]`).getByRole('link', { name: `All jobs of ${owner} in the jobs list` }).click();
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('owner') === owner);
    await eventually(async () => ((await page.getByLabel('Owner', { exact: true }).inputValue()) === owner ? true : undefined), 5_000, 'the jobs page to filter by the owner');
  });

  test('the cluster page shows the local agent, the skew histogram and the 409 to a blacklist', async () => {
    // A run that starts puts one observation in the skew histogram.
    assert.equal((await api(`${server.url}/api/v1/jobs/every-5/run`, 'POST')).status, 201);
    await page.goto(`${server.url}/cluster`);
    await page.getByTestId('cluster-facts').getByText('local (runs on this host)').waitFor();
    await page.getByTestId('skew-histogram').waitFor();
    const agent = page.getByTestId('agent').first();
    await browser.expectingErrors(HTTP_409, async () => {
      await agent.getByRole('button', { name: 'Blacklist…' }).click();
      await agent.getByLabel(/Reason/).fill('testing');
      await agent.getByRole('button', { name: /^Blacklist / }).click();
      await page.getByTestId('agent-outcome').getByText(/HTTP 409/).waitFor();
    });
    await agent.getByText('accepting runs').waitFor();
    await browser.checkAccessibility(page, 'the cluster page');
    await browser.screenshot(page, 'ops-cluster-local');
  });
});

describe('the cluster page on the Mesos sim', { skip: unavailable ?? false }, () => {
  const dir = tempDir('moroccron-ui-mesos-');
  let sim: ChildProcess | undefined;
  let server: ServerProcess;
  let browser: UiBrowser;

  before(async () => {
    let simOutput = '';
    sim = spawn(process.execPath, [BIN, 'mesos-sim', '--port', '0', '--agents', '3', '--cpus', '4', '--mem', '8192'], { stdio: ['ignore', 'pipe', 'pipe'] });
    sim.stdout!.on('data', (d: Buffer) => (simOutput += d.toString()));
    sim.stderr!.on('data', (d: Buffer) => (simOutput += d.toString()));
    const master = await eventually(async () => /mesos-sim master on (http:\/\/\S+)/.exec(simOutput)?.[1], 15_000, 'mesos-sim to start');
    server = await startServerProcess(dir.path, ['--backend', 'mesos', '--mesos-master', master]);
    await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'busy', schedule: '*/2 * * * * *', command: 'sleep 5', concurrency: 'allow', resources: { cpus: 1, mem: 1024 } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    sim?.kill('SIGTERM');
    dir.remove();
  });
  afterEach(() => browser.assertNoErrors());

  test('an agent is blacklisted with a reason, shown after a reload, and let back', async () => {
    const page = browser.page;
    await page.goto(`${server.url}/cluster`);
    await page.getByTestId('cluster-facts').getByText('Apache Mesos').waitFor();
    await eventually(async () => ((await page.getByTestId('agent').count()) === 3 ? true : undefined), 15_000, 'three agents');
    const agent = page.getByTestId('agent').nth(1);
    const id = (await agent.getAttribute('data-agent'))!;
    await agent.getByRole('button', { name: 'Blacklist…' }).click();
    await agent.getByLabel(/Reason/).fill('disk failing');
    await agent.getByRole('button', { name: `Blacklist ${id}` }).click();
    await page.getByTestId('agent-outcome').getByText(`${id} is blacklisted`).waitFor();
    await agent.locator('.status', { hasText: 'blacklisted' }).waitFor();

    const agents = (await api<{ agents: { id: string; blacklisted: boolean }[] }>(`${server.url}/api/v1/agents`)).body.agents;
    assert.deepEqual(agents.filter((a) => a.blacklisted).map((a) => a.id), [id]);

    await page.reload();
    const again = page.locator(`[data-testid="agent"][data-agent="${id}"]`);
    await again.getByText(/: disk failing$/).waitFor();
    await browser.checkAccessibility(page, 'the cluster page on Mesos');
    await browser.screenshot(page, 'ops-cluster-mesos');

    await again.getByRole('button', { name: 'Lift blacklist' }).click();
    await again.getByText('accepting runs').waitFor();
  });
});
