/**
 * For the UI tests with thousands of jobs: inside a `describe`, a real server holding the
 * jobs (put a thousand at a time), a real browser on it, and every GET of one API path the
 * page sends, recorded; after each test, no console error in the page (and, if asked, no
 * request of the path without a `limit`).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, type UiBrowser } from './browser.js';
import { api, startServerProcess, tempDir, type ServerProcess } from './server-process.js';

export interface UiAtScale {
  readonly server: ServerProcess;
  readonly browser: UiBrowser;
  readonly page: Page;
  /** Every GET of the watched path, as URLs, in the order sent. */
  readonly requests: URL[];
}

export interface UiAtScaleOptions {
  /** After each test, fail with this if the page sent a GET of the path without `limit`. */
  everyRequestPaged?: string;
}

export function uiOverManyJobs(prefix: string, jobs: readonly object[], watchedPath: string, options: UiAtScaleOptions = {}): UiAtScale {
  const dir = tempDir(prefix);
  const requests: URL[] = [];
  let server: ServerProcess | undefined;
  let browser: UiBrowser | undefined;
  before(async () => {
    server = await startServerProcess(dir.path);
    for (let i = 0; i < jobs.length; i += 1000) {
      const put: { status: number; body: unknown } = await api(`${server.url}/api/v1/jobs`, 'POST', jobs.slice(i, i + 1000));
      assert.equal(put.status, 201, JSON.stringify(put.body).slice(0, 500));
    }
    browser = await launchBrowser();
    browser.page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === watchedPath && request.method() === 'GET') requests.push(url);
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    dir.remove();
  });
  afterEach(() => {
    browser!.assertNoErrors();
    if (options.everyRequestPaged === undefined) return;
    const unpaged = requests.filter((u) => !u.searchParams.has('limit'));
    assert.deepEqual(unpaged.map(String), [], options.everyRequestPaged);
  });
  return {
    get server() {
      return server!;
    },
    get browser() {
      return browser!;
    },
    get page() {
      return browser!.page;
    },
    requests,
  };
}
