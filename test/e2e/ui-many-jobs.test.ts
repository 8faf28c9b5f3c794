/**
 * The jobs page with more jobs than a browser should hold (3,000, over the 2,000 at which it
 * pages), in a real browser (Debian's chromium via playwright-core) against a real `moroccron
 * serve`: the page never asks for the whole list; it shows the first page and how many match,
 * narrows by search and state on the server, loads the next page after the cursor, sorts by
 * next run on the server, keeps the filters in the URL, follows a run and a job change live,
 * and acts in bulk on the rows on screen. And a list of 1,995 jobs, held by the browser as it
 * always was, that grows past 2,000 while open: the page turns to server pages without ever
 * fetching the whole list again. axe-core checks it; a console error fails a test.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chromiumUnavailable } from '../helpers/browser.js';
import { api, eventually } from '../helpers/server-process.js';
import { uiOverManyJobs } from '../helpers/ui-at-scale.js';

const unavailable = chromiumUnavailable();

const JOB_COUNT = 3_000;
const PAGE = 100;
const name = (i: number): string => `job-${String(i).padStart(4, '0')}`;
const isInvoice = (i: number): boolean => i % 10 === 3;
const isPaused = (i: number): boolean => i % 25 === 3;
// Six months from now, so no job comes due while the test runs, yet each has its own next run.
const farMonth = ((new Date().getUTCMonth() + 6) % 12) + 1;

const JOBS = Array.from({ length: JOB_COUNT }, (_, i) => ({
  name: name(i),
  description: isInvoice(i) ? `Sends invoice batch ${i}.` : `Job number ${i}.`,
  // Every seventh job runs only when asked: no next run, so last when sorted by it.
  ...(i % 7 === 5 ? {} : { schedule: `${i % 60} ${(i * 7) % 24} ${1 + ((i * 13) % 28)} ${farMonth} *`, timezone: 'UTC' }),
  command: i === 1 ? 'sleep 2' : 'true',
  labels: { team: ['data', 'web', 'ops'][i % 3]! },
  paused: isPaused(i),
}));
const count = (test: (i: number) => boolean): number => JOBS.filter((_, i) => test(i)).length;

interface JobPage {
  jobs: { name: string }[];
  total: number;
  nextCursor: string | null;
}

describe('the jobs page with 3,000 jobs', { skip: unavailable ?? false }, () => {
  const ui = uiOverManyJobs('moroccron-ui-many-', JOBS, '/api/v1/jobs', { everyRequestPaged: 'the page asked for the whole job list' });
  /** Every GET /api/v1/jobs the page sent, as URLs. */
  const listRequests = ui.requests;

  const rows = () => ui.page.getByTestId('page-jobs').locator('table tbody tr');
  const rowNames = () => rows().locator('a.job-name').allTextContents();
  const matchCount = (n: number) => ui.page.getByText(`${n.toLocaleString('en')} ${n === 1 ? 'job matches' : 'jobs match'} ·`);
  /** Waits for the rows to be exactly `names`, in order. */
  const showsRows = (names: string[], what: string) =>
    eventually(async () => {
      const shown = await rowNames();
      return shown.length === names.length && shown.every((n, i) => n === names[i]) ? true : undefined;
    }, 10_000, what);
  /** The latest list request the page sent with this parameter set to this value. */
  const requestWith = (key: string, value: string) =>
    eventually(async () => listRequests.findLast((u) => u.searchParams.get(key) === value), 5_000, `a request with ${key}=${value}`);
  const apiPage = async (query: string): Promise<JobPage> => {
    const answer = await api<JobPage>(`${ui.server.url}/api/v1/jobs?${query}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body;
  };

  test('the first page shows, with how many jobs match, and "Load more" appends the next page in order', async () => {
    await ui.page.goto(ui.server.url);
    await matchCount(JOB_COUNT).waitFor();
    await showsRows(JOBS.slice(0, PAGE).map((j) => j.name), 'the first 100 jobs by name');
    const first = listRequests.find((u) => u.searchParams.get('recent') !== null);
    assert.ok(first, 'no page of jobs with their recent runs was asked for');
    assert.equal(first.searchParams.get('limit'), String(PAGE));
    assert.equal(first.searchParams.get('sort'), 'name');
    await ui.page.getByText(`${JOB_COUNT.toLocaleString('en')} jobs match · ${PAGE} shown`).waitFor();
    await ui.browser.checkAccessibility(ui.page, 'the paged jobs page');
    await ui.browser.screenshot(ui.page, 'jobs-paged', { viewportOnly: true });

    await ui.page.getByRole('button', { name: `Load ${PAGE} more` }).click();
    await showsRows(JOBS.slice(0, 2 * PAGE).map((j) => j.name), 'the second 100 jobs after the first');
    const more = listRequests.at(-1)!;
    assert.ok(more.searchParams.get('cursor'), 'Load more did not send the cursor');
    await ui.page.getByText(`Showing ${2 * PAGE} of ${JOB_COUNT.toLocaleString('en')}`).waitFor();
    // The keyboard goes on from the first new row.
    assert.equal(await ui.page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent), name(PAGE));
  });

  test('a search and a state filter narrow the list on the server, and stay in the URL', async () => {
    const invoices = JOBS.filter((_, i) => isInvoice(i)).map((j) => j.name);
    await ui.page.getByRole('searchbox', { name: 'Search' }).fill('INVOICE');
    await matchCount(invoices.length).waitFor();
    await showsRows(invoices.slice(0, PAGE), 'the first 100 invoice jobs');
    const searched = await requestWith('q', 'INVOICE');
    assert.equal(searched.searchParams.get('limit'), String(PAGE));
    assert.equal((await apiPage('limit=1&q=INVOICE')).total, invoices.length);
    assert.equal(new URL(ui.page.url()).searchParams.get('q'), 'INVOICE');

    await ui.page.getByRole('combobox', { name: 'State' }).selectOption('paused');
    const pausedInvoices = JOBS.filter((_, i) => isInvoice(i) && isPaused(i)).map((j) => j.name);
    await matchCount(pausedInvoices.length).waitFor();
    await showsRows(pausedInvoices, 'the paused invoice jobs');
    const both = await requestWith('state', 'paused');
    assert.equal(both.searchParams.get('q'), 'INVOICE');
    assert.equal(await ui.page.getByRole('button', { name: /^Load \d+ more$/ }).count(), 0, 'every match is on screen');

    await ui.page.getByRole('searchbox', { name: 'Search' }).fill('');
    await matchCount(count(isPaused)).waitFor();
    await ui.page.getByRole('combobox', { name: 'Label' }).fill('team=web');
    const pausedWeb = JOBS.filter((_, i) => isPaused(i) && i % 3 === 1).map((j) => j.name);
    await matchCount(pausedWeb.length).waitFor();
    await showsRows(pausedWeb, 'the paused jobs of team web');
    assert.equal((await requestWith('label', 'team=web')).searchParams.get('state'), 'paused');

    // The filters in the URL open the same list.
    await ui.page.goto(`${ui.server.url}/?state=paused&label=team%3Dweb`);
    await matchCount(pausedWeb.length).waitFor();
    await showsRows(pausedWeb, 'the paused jobs of team web, from the URL');
    await ui.page.getByRole('button', { name: 'Clear filters' }).first().click();
    await matchCount(JOB_COUNT).waitFor();
    assert.equal(new URL(ui.page.url()).search, '');
  });

  test('sorting by next run is done by the server, page after page; other columns say why they cannot sort', async () => {
    await ui.page.goto(ui.server.url);
    await matchCount(JOB_COUNT).waitFor();
    const schedule = ui.page.getByRole('columnheader', { name: 'Schedule' }).getByRole('button');
    assert.equal(await schedule.getAttribute('aria-disabled'), 'true');
    assert.match((await schedule.getAttribute('title')) ?? '', /server sorts the list, by job name or next run only/);
    await schedule.focus();
    await ui.page.keyboard.press('Enter');
    assert.equal(new URL(ui.page.url()).searchParams.get('sort'), null, 'a column the server cannot sort by changed the sort');

    await ui.page.getByRole('columnheader', { name: 'Next run' }).getByRole('button').click();
    const firstPage = await apiPage(`limit=${PAGE}&sort=next`);
    await showsRows(firstPage.jobs.map((j) => j.name), 'the 100 jobs that run soonest');
    assert.equal((await requestWith('sort', 'next')).searchParams.get('limit'), String(PAGE));
    assert.equal(await ui.page.getByRole('columnheader', { name: /Next run/ }).getAttribute('aria-sort'), 'ascending');

    await ui.page.getByRole('button', { name: `Load ${PAGE} more` }).click();
    const secondPage = await apiPage(`limit=${PAGE}&sort=next&cursor=${firstPage.nextCursor}`);
    await showsRows([...firstPage.jobs, ...secondPage.jobs].map((j) => j.name), 'the next 100 by next run');
    // The next run times on screen never go back.
    const times = await rows().locator('td.col-next time').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('datetime') ?? ''));
    assert.equal(times.length, 2 * PAGE);
    assert.deepEqual([...times].sort(), times);

    await ui.page.getByRole('columnheader', { name: /Next run/ }).getByRole('button').click();
    const descending = await apiPage(`limit=${PAGE}&sort=next&order=desc`);
    await showsRows(descending.jobs.map((j) => j.name), 'the jobs by next run, latest first');
    assert.equal((await requestWith('order', 'desc')).searchParams.get('sort'), 'next');
  });

  test('a run started on a job on the page shows live, and a changed job is fetched again with its page', async () => {
    await ui.page.goto(ui.server.url);
    await matchCount(JOB_COUNT).waitFor();
    await ui.page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
    const row = rows().filter({ has: ui.page.getByRole('link', { name: name(1), exact: true }) });
    await row.locator('td.col-status').getByText('no runs yet').waitFor();
    const requestsBefore = listRequests.length;

    const started = await api<{ id: string }>(`${ui.server.url}/api/v1/jobs/${name(1)}/run`, 'POST');
    assert.equal(started.status, 201);
    await row.locator('.status', { hasText: 'running' }).waitFor({ timeout: 10_000 });
    await row.getByRole('link', { name: `Last run of ${name(1)}: succeeded` }).waitFor({ timeout: 15_000 });

    const changed = { ...JOBS[2]!, description: 'Changed while on screen.' };
    assert.equal((await api(`${ui.server.url}/api/v1/jobs/${name(2)}`, 'PUT', changed)).status, 200);
    await rows().filter({ has: ui.page.getByRole('link', { name: name(2), exact: true }) }).getByText('Changed while on screen.').waitFor();
    const refetches = listRequests.slice(requestsBefore);
    assert.ok(refetches.length > 0, 'the change was not fetched');
    for (const url of refetches) assert.ok(Number(url.searchParams.get('limit')) <= PAGE, `a refetch asked for more than the page: ${url.search}`);
    assert.ok(await ui.page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument), 'the page was reloaded');
  });

  test('bulk actions act on the selected rows on screen', async () => {
    await ui.page.goto(ui.server.url);
    await matchCount(JOB_COUNT).waitFor();
    const targets = [name(10), name(11)];
    for (const job of targets) await ui.page.getByRole('checkbox', { name: `Select ${job}` }).check();
    const bar = ui.page.getByRole('region', { name: 'Bulk actions' });
    await bar.getByText('2 selected on screen').waitFor();
    await bar.getByRole('button', { name: 'Pause' }).click();
    for (const job of targets) await ui.page.getByRole('button', { name: `Resume ${job}` }).waitFor();
    for (const job of targets) assert.equal((await api<{ paused: boolean }>(`${ui.server.url}/api/v1/jobs/${job}`)).body.paused, true);

    // "Select all" takes the rows on screen, not the 3,000 that match.
    await ui.page.getByRole('checkbox', { name: `Select all ${PAGE} jobs on screen` }).check();
    await bar.getByText(`${PAGE} selected on screen`).waitFor();
    await bar.getByRole('button', { name: 'Clear selection' }).click();
  });
});

describe('a job list that outgrows the browser while the page is open', { skip: unavailable ?? false }, () => {
  const small = JOBS.slice(0, 1_995);
  const ui = uiOverManyJobs('moroccron-ui-outgrow-', small, '/api/v1/jobs');
  const listRequests = ui.requests;

  test('up to 2,000 jobs the browser holds them all; past that the page turns to server pages by itself', async () => {
    await ui.page.goto(ui.server.url);
    // The list the browser filters itself, a page of 100 at a time, as it always was.
    await ui.page.getByText('1,995 jobs', { exact: false }).waitFor();
    await ui.page.getByRole('navigation', { name: 'Pages of jobs' }).getByText('Page 1 of 20').waitFor();
    await ui.page.getByRole('combobox', { name: 'Label' }).and(ui.page.locator('select')).waitFor();

    const unbounded = () => listRequests.filter((u) => !u.searchParams.has('limit')).map((u) => u.search);
    assert.deepEqual(unbounded(), ['?recent=20']);

    // Fifteen new jobs: the page asks how many there are before it would fetch them all again.
    assert.equal((await api(`${ui.server.url}/api/v1/jobs`, 'POST', JOBS.slice(1_995, 2_010))).status, 201);
    await ui.page.getByText('2,010 jobs match · 100 shown').waitFor({ timeout: 10_000 });
    await ui.page.getByRole('button', { name: 'Load 100 more' }).waitFor();
    assert.deepEqual(unbounded(), ['?recent=20'], 'the whole list was fetched again');
  });
});
