/**
 * The timeline page with 3,000 jobs, in a real browser (Debian's chromium via playwright-core)
 * against a real `moroccron serve`: it never asks for every job's row; the sums over every
 * job come with the first 100 rows (most runs first), "Load more" asks for the next 100 after
 * the cursor, the filter goes to the server, and who fires most at the selected time is asked
 * of the server (for every job, not the rows loaded) as the time moves. axe-core checks it; a
 * console error fails a test.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chromiumUnavailable } from '../helpers/browser.js';
import { api, eventually } from '../helpers/server-process.js';
import { uiOverManyJobs } from '../helpers/ui-at-scale.js';

const unavailable = chromiumUnavailable();

const JOB_COUNT = 3_000;
const PAGE = 100;
const name = (i: number): string => `tl-${String(i).padStart(4, '0')}`;
const isHourly = (i: number): boolean => i % 30 === 0;
const isPaused = (i: number): boolean => i % 100 === 7;
const team = (i: number): string => ['data', 'web', 'ops'][i % 3]!;

// 100 hourly jobs (24 runs in any 24 hours, so they come first), the rest daily (one run each).
const JOBS = Array.from({ length: JOB_COUNT }, (_, i) => ({
  name: name(i),
  schedule: isHourly(i) ? `${i % 60} * * * *` : `${i % 60} ${i % 24} * * *`,
  command: 'true',
  labels: { team: team(i) },
  paused: isPaused(i),
}));
const firing = (test: (i: number) => boolean = () => true): string[] => JOBS.filter((_, i) => !isPaused(i) && test(i)).map((j) => j.name);

interface Timeline {
  from: string;
  jobs: { name: string; total: number; counts: number[] }[];
  total: number;
  firing: number;
  nextCursor: string | null;
}

describe('the timeline page with 3,000 jobs', { skip: unavailable ?? false }, () => {
  const ui = uiOverManyJobs('moroccron-ui-timeline-', JOBS, '/api/v1/timeline', { everyRequestPaged: "the page asked for every job's row" });
  /** Every GET /api/v1/timeline the page sent, as URLs. */
  const timelineRequests = ui.requests;

  const timeline = () => ui.page.getByTestId('page-timeline');
  const rowNames = () => timeline().locator('.tl-body [data-job]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job')));
  const showsRows = (names: string[], what: string) =>
    eventually(async () => {
      const shown = await rowNames();
      return shown.length === names.length && shown.every((n, i) => n === names[i]) ? true : undefined;
    }, 10_000, what);
  const requestWith = (test: (u: URL) => boolean, what: string) => eventually(async () => timelineRequests.findLast(test), 5_000, what);
  /** What the server answers to a request the page sent. */
  const answerTo = async (url: URL): Promise<Timeline> => {
    const answer = await api<Timeline>(`${ui.server.url}${url.pathname}${url.search}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body;
  };
  const sliderAt = async () => Number(await timeline().getByRole('slider', { name: 'Selected time' }).getAttribute('aria-valuenow'));

  test('the sums over every job come with the first 100 rows, most runs first; "Load more" appends the next 100', async () => {
    await ui.page.goto(`${ui.server.url}/timeline`);
    const all = firing();
    await timeline().getByText(`from ${all.length.toLocaleString('en')} jobs in the next 24 hours`).waitFor();
    await showsRows(firing(isHourly), 'the hourly jobs first, by name');
    await timeline().getByTestId('timeline-count').getByText(`Showing ${PAGE} of ${all.length.toLocaleString('en')} jobs`).waitFor();
    const first = timelineRequests.find((u) => u.searchParams.get('limit') === String(PAGE))!;
    assert.equal(first.searchParams.get('sort'), 'runs');
    assert.equal(first.searchParams.get('cursor'), null);
    await ui.browser.checkAccessibility(ui.page, 'the paged timeline');
    await ui.browser.screenshot(ui.page, 'timeline-paged', { viewportOnly: true });

    await timeline().getByRole('button', { name: `Load ${PAGE} more` }).click();
    const daily = firing((i) => !isHourly(i));
    await showsRows([...firing(isHourly), ...daily.slice(0, PAGE)], 'then the first 100 daily jobs');
    const more = timelineRequests.at(-1)!;
    assert.ok(more.searchParams.get('cursor'), 'Load more did not send the cursor');
    assert.ok(more.searchParams.get('from'), 'Load more did not keep the window');
    await timeline().getByText(`Showing ${2 * PAGE} of ${all.length.toLocaleString('en')} jobs`).waitFor();
  });

  test('the filter goes to the server: team=web narrows the rows and the count, not the sums', async () => {
    await timeline().getByRole('searchbox', { name: 'Filter jobs' }).fill('team=web');
    const web = firing((i) => team(i) === 'web');
    await timeline().getByText(`Showing ${PAGE} of ${web.length.toLocaleString('en')} jobs`).waitFor();
    await showsRows([...firing((i) => team(i) === 'web' && isHourly(i)), ...firing((i) => team(i) === 'web' && !isHourly(i))].slice(0, PAGE), 'the first 100 jobs of team web');
    const filtered = await requestWith((u) => u.searchParams.get('q') === 'team=web', 'a request with q=team=web');
    assert.equal(filtered.searchParams.get('limit'), String(PAGE));
    await timeline().getByText(`from ${firing().length.toLocaleString('en')} jobs in the next 24 hours`).waitFor();
    await timeline().getByRole('searchbox', { name: 'Filter jobs' }).fill('');
    await timeline().getByText(`Showing ${PAGE} of ${firing().length.toLocaleString('en')} jobs`).waitFor();
  });

  test('who fires most at the selected time is asked of the server, and follows the time as it moves', async () => {
    const slider = timeline().getByRole('slider', { name: 'Selected time' });
    const at = await sliderAt();
    const asked = await requestWith((u) => u.searchParams.get('bucket') === String(at) && u.searchParams.get('limit') === '5', `the top jobs of bucket ${at}`);
    const top = await answerTo(asked);
    assert.ok(top.jobs.length > 0, 'the busiest time has jobs');
    for (const job of top.jobs) await timeline().getByTestId('timeline-top').getByText(`${job.name} (${job.counts[at]})`).waitFor();

    await slider.focus();
    await ui.page.keyboard.press('End');
    const last = await sliderAt();
    assert.notEqual(last, at);
    const lastTop = await answerTo(await requestWith((u) => u.searchParams.get('bucket') === String(last) && u.searchParams.get('limit') === '5', `the top jobs of bucket ${last}`));
    const names = lastTop.jobs.map((j) => `${j.name} (${j.counts[last]})`);
    // The last bucket may hold no run (it depends on the time the test runs): then the readout names nobody.
    const readout = timeline().getByTestId('timeline-top');
    const expected = names.length === 0 ? null : ` · most: ${names.join(', ')}`;
    await eventually(async () => (((await readout.count()) === 0 ? null : await readout.textContent()) === expected ? true : undefined), 5_000, 'the readout names the top jobs of the last bucket');

    await timeline().getByRole('combobox', { name: 'Sort by' }).selectOption('cursor');
    const sorted = await requestWith((u) => u.searchParams.get('bucket') === String(last) && u.searchParams.get('limit') === String(PAGE), 'the rows of the selected time');
    const rows = await answerTo(sorted);
    await showsRows(rows.jobs.map((j) => j.name), 'the jobs that fire at the selected time, most there first');
    await timeline().getByText(`Showing ${rows.jobs.length} of ${rows.total.toLocaleString('en')} job`).waitFor();
    await ui.browser.checkAccessibility(ui.page, 'the timeline sorted by the selected time');
  });

  test('a job that changes refetches the rows on screen', async () => {
    await timeline().getByRole('combobox', { name: 'Sort by' }).selectOption('runs');
    await showsRows(firing(isHourly), 'the hourly jobs first again');
    const everyMinute = await api(`${ui.server.url}/api/v1/jobs`, 'POST', { name: 'tl-zz-every-minute', schedule: '* * * * *', command: 'true' });
    assert.equal(everyMinute.status, 201);
    await showsRows(['tl-zz-every-minute', ...firing(isHourly).slice(0, PAGE - 1)], 'the new every-minute job first');
  });
});
