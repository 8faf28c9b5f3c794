/**
 * The web UI opened on a standby, in chromium with the pages' Content-Security-Policy
 * enforced, two members with `--auth tokens` on etcd. Reads come from the standby; writes,
 * the event stream and logs follow the standby's 307 to the leader (another origin) with the
 * token: run now, watch it finish live, read its log, pause. The leader allows the member's
 * origin and no other. When the leader dies, the same page goes on with the new one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumUnavailable, launchBrowser, type UiBrowser } from '../helpers/browser.js';
import { runCli } from '../helpers/cli-process.js';
import { etcdUnavailable, startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { HaCluster } from '../helpers/ha-cluster.js';
import { eventually, tempDir, type ServerProcess } from '../helpers/server-process.js';

const unavailable = chromiumUnavailable() ?? etcdUnavailable();

describe('the web UI on a standby', { skip: unavailable ?? false, timeout: 180_000 }, () => {
  const dir = tempDir('moroccron-ui-standby-');
  let etcd: EtcdServer;
  let cluster: HaCluster;
  let token: string;
  let leader: ServerProcess;
  let standby: ServerProcess;
  let browser: UiBrowser;
  let page: Page;

  const call = async <T>(member: ServerProcess, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${member.url}${path}`, {
      method,
      redirect: 'manual',
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };

  before(async () => {
    etcd = await startEtcd();
    const storeUrl = `etcd://${etcd.hostPort}/ui-standby-${process.pid}`;
    const made = await runCli(['token', 'create', '--role', 'admin', '--name', 'ui', '--store', storeUrl]);
    assert.equal(made.code, 0, made.stderr);
    token = made.stdout.trim();
    cluster = new HaCluster(storeUrl, dir.path, ['--auth', 'tokens'], token);
    await cluster.start(2);
    leader = await cluster.leader();
    standby = cluster.members.find((m) => m !== leader)!;
    const put = await call(leader, 'POST', '/api/v1/jobs', [
      { name: 'greet', command: 'echo "hello from the leader"; sleep 1' },
      { name: 'tidy', schedule: '0 4 * * *', command: 'true' },
    ]);
    assert.equal(put.status, 201, JSON.stringify(put.body));
    browser = await launchBrowser({ enforceCsp: true });
    page = browser.page;
    // Signed in already: the token kept for the tab, as the login page leaves it.
    await browser.context.addInitScript((value) => (globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }).sessionStorage.setItem('moroccron.token', value), token);
  });
  after(async () => {
    await browser?.close();
    await cluster?.stop();
    await etcd?.stop();
    dir.remove();
  });

  test('the leader allows the members’ origins and no other; the standby’s pages may connect to the leader', async () => {
    const preflight = (origin: string) =>
      fetch(`${leader.url}/api/v1/jobs/greet/pause`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight(new URL(standby.url).origin);
    assert.equal(allowed.headers.get('access-control-allow-origin'), new URL(standby.url).origin);
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /authorization/);
    const foreign = await preflight('http://elsewhere.invalid');
    assert.equal(foreign.headers.get('access-control-allow-origin'), null, 'a foreign origin gets no CORS answer');

    const index = await fetch(`${standby.url}/`, { headers: { accept: 'text/html' } });
    await index.text();
    const policy = index.headers.get('content-security-policy') ?? '';
    assert.match(policy, new RegExp(`connect-src 'self'[^;]* ${new URL(leader.url).origin.replace(/[.]/g, '\\.')}`), policy);
  });

  test('reads from the standby; run now, the live finish, the log and pause follow the 307 to the leader', async () => {
    assert.equal((await call(standby, 'POST', '/api/v1/jobs/greet/run')).status, 307, 'the standby does not lead');
    await page.goto(`${standby.url}/jobs/greet`);
    await page.getByTestId('page-job').getByRole('heading', { level: 1, name: 'greet' }).waitFor();
    await page.getByRole('button', { name: 'Run now' }).click();
    const runs = page.getByRole('table', { name: 'Runs, newest first' }).locator('tbody tr');
    await runs.first().waitFor();
    // Finished live: the event stream comes from the leader.
    await runs.first().locator('.status').filter({ hasText: /(^|[^a-z])succeeded$/ }).waitFor({ timeout: 20_000 });

    const stored = await call<{ runs: { id: string; status: string }[] }>(leader, 'GET', '/api/v1/jobs/greet/runs');
    assert.deepEqual(
      stored.body.runs.map((r) => r.status),
      ['succeeded'],
    );
    await page.goto(`${standby.url}/runs/${encodeURIComponent(stored.body.runs[0]!.id)}`);
    await page.getByTestId('log-stdout').getByText('hello from the leader').waitFor();

    await page.goto(`${standby.url}/jobs/tidy`);
    await page.getByRole('group', { name: 'Job actions' }).getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('group', { name: 'Job actions' }).getByRole('button', { name: 'Resume' }).waitFor();
    assert.equal((await call<{ paused: boolean }>(leader, 'GET', '/api/v1/jobs/tidy')).body.paused, true);
    browser.assertNoErrors();
  });

  test('with the leader gone, the same page goes on with the member that now leads', async () => {
    await page.goto(`${standby.url}/jobs/greet`);
    const runs = page.getByRole('table', { name: 'Runs, newest first' }).locator('tbody tr');
    await runs.first().waitFor();
    const before = await runs.count();
    // Chromium logs the stream cut by the killed leader (cut, reset or empty, as the kill lands) and the refused reconnects; nothing else may appear.
    await browser.expectingErrors(/ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE/, async () => {
      await leader.kill();
      cluster.members.splice(cluster.members.indexOf(leader), 1);
      await eventually(async () => ((await call<{ isLeader: boolean }>(standby, 'GET', '/api/v1/cluster')).body.isLeader ? true : undefined), 20_000, 'the standby to lead');
      // The same document's event stream reconnects to the new leader: a run started elsewhere shows up live.
      assert.equal((await call(standby, 'POST', '/api/v1/jobs/greet/run')).status, 201);
      await eventually(async () => ((await runs.count()) > before ? true : undefined), 20_000, 'the new run to appear live');
    });
    await page.goto(`${standby.url}/jobs/tidy`);
    await page.getByRole('group', { name: 'Job actions' }).getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('group', { name: 'Job actions' }).getByRole('button', { name: 'Pause' }).waitFor();
    assert.equal((await call<{ paused: boolean }>(standby, 'GET', '/api/v1/jobs/tidy')).body.paused, false);
    browser.assertNoErrors();
  });
});
