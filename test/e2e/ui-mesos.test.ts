/**
 * The web UI against `moroccron serve --backend mesos` and the in-repo Mesos sim (three
 * agents): the cluster page shows the framework and the agents with their resources; an
 * agent blacklisted from the page is blacklisted for the API too, and lifted again; a run on
 * an agent shows its log read from the sim's sandbox. axe-clean, screenshots kept.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import { chromiumUnavailable, launchBrowser, type UiBrowser } from '../helpers/browser.js';
import { api, eventually, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

interface AgentJson {
  id: string;
  blacklisted: boolean;
  blacklist: { reason: string; since: string } | null;
  isolation: { mode: string } | null;
}

const unavailable = chromiumUnavailable();

describe('the web UI on the Mesos backend', { skip: unavailable ?? false }, () => {
  const dir = tempDir('moroccron-ui-mesos-');
  let sim: MesosSim;
  let server: ServerProcess;
  let browser: UiBrowser;
  let agentIds: string[];

  before(async () => {
    sim = await startMesosSim({ agents: 3, cpus: 4, mem: 8192, heartbeatIntervalSeconds: 1, attributes: (i) => ({ rack: `r${i % 2}` }) });
    agentIds = (sim.state() as { slaves: { id: string }[] }).slaves.map((s) => s.id).sort();
    server = await startServerProcess(dir.path, ['--backend', 'mesos', '--mesos-master', sim.url]);
    const put = await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'on-an-agent', command: 'echo "hello from $HOSTNAME"; echo "a warning" >&2', resources: { cpus: 0.1, mem: 32 } });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    // The agents are known once the framework is subscribed and has been offered them.
    await eventually(async () => ((await api<{ agents: AgentJson[] }>(`${server.url}/api/v1/agents`)).body.agents.length === 3 ? true : undefined), 15_000, 'three agents');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await sim?.close();
    dir.remove();
  });
  afterEach(() => browser.assertNoErrors());

  const agents = async (): Promise<AgentJson[]> => (await api<{ agents: AgentJson[] }>(`${server.url}/api/v1/agents`)).body.agents;

  test('the cluster page shows the framework and the agents; one is blacklisted from the page, then lifted', async () => {
    const page = browser.page;
    await page.goto(`${server.url}/cluster`);
    const facts = page.getByTestId('cluster-facts');
    await facts.getByText('Apache Mesos').waitFor();
    const { frameworkId } = (await api<{ frameworkId: string }>(`${server.url}/api/v1/cluster`)).body;
    await facts.getByText(frameworkId).waitFor();
    for (const id of agentIds) await page.locator(`[data-testid="agent"][data-agent="${id}"]`).getByRole('heading', { name: id }).waitFor();
    assert.equal(await page.getByTestId('agent').count(), 3);
    // Each agent's isolators, from its own /flags.
    await eventually(async () => ((await agents()).every((a) => a.isolation !== null) ? true : undefined), 40_000, "the agents' /flags to be read");
    await page.reload();
    await page.locator(`[data-testid="agent"][data-agent="${agentIds[0]}"]`).getByText('posix/cpu, posix/mem').waitFor();
    await browser.checkAccessibility(page, 'the cluster page on Mesos');
    await browser.screenshot(page, 'cluster-mesos');

    const banned = agentIds[1]!;
    const card = page.locator(`[data-testid="agent"][data-agent="${banned}"]`);
    await card.getByRole('button', { name: 'Blacklist…' }).click();
    await card.getByLabel(/Reason/).fill('disk failing');
    await browser.checkAccessibility(page, 'the cluster page asking for a blacklist reason');
    await card.getByRole('button', { name: `Blacklist ${banned}` }).click();
    await card.getByText(/^\W*blacklisted$/).waitFor();
    await card.getByText(/disk failing/).waitFor();
    await page.getByTestId('agent-outcome').getByText(`${banned} is blacklisted`).waitFor();
    const listed = (await agents()).find((a) => a.id === banned);
    assert.equal(listed?.blacklisted, true);
    assert.equal(listed?.blacklist?.reason, 'disk failing');
    assert.deepEqual(
      (await agents()).filter((a) => a.blacklisted).map((a) => a.id),
      [banned],
      'only that agent',
    );
    await browser.checkAccessibility(page, 'the cluster page with a blacklisted agent');
    await browser.screenshot(page, 'cluster-mesos-blacklisted');

    await card.getByRole('button', { name: 'Lift blacklist' }).click();
    await card.getByText(/^\W*accepting runs$/).waitFor();
    assert.equal((await agents()).find((a) => a.id === banned)?.blacklisted, false);
  });

  test("a run on an agent: its page names the agent and shows the log from the sim's sandbox", async () => {
    const page = browser.page;
    await page.goto(`${server.url}/jobs/on-an-agent`);
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('link', { name: 'Watch it' }).click();
    await page.getByTestId('page-run').waitFor();
    const id = decodeURIComponent(/\/runs\/([^/?#]+)/.exec(page.url())![1]!);
    await page.getByTestId('log-stdout').getByText(/hello from/).waitFor({ timeout: 15_000 });
    await page.getByText('End of log: the run has finished.').waitFor({ timeout: 15_000 });
    const run = (await api<{ status: string; agent: string }>(`${server.url}/api/v1/runs/${id}`)).body;
    assert.equal(run.status, 'succeeded');
    assert.ok(agentIds.includes(run.agent), `ran on ${run.agent}`);
    await page.getByTestId('page-run').getByText(run.agent, { exact: true }).waitFor();
    await page.getByRole('tab', { name: /stderr/ }).click();
    await page.getByTestId('log-stderr').getByText('a warning').waitFor();
    await browser.checkAccessibility(page, 'the run page on Mesos');
    await browser.screenshot(page, 'run-mesos');
  });
});
