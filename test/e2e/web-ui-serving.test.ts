/**
 * The built server serves the built web UI (dist/ui, made by `npm run build`) at `/`, with
 * `--auth tokens`: the app's files and its page addresses need no token, the API still does;
 * hashed assets are cached for good and index.html never; an unknown API path stays a JSON
 * 404, whatever the client accepts.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM, chromiumUnavailable } from '../helpers/browser.js';
import { runCli } from '../helpers/cli-process.js';
import { BIN, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

const UI_DIR = join(BIN, '..', '..', 'ui');
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

const dir = tempDir();
let server: ServerProcess;
let token: string;

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(`${server.url}${path}`, { method, headers });

before(async () => {
  assert.ok(existsSync(join(UI_DIR, 'index.html')), `${UI_DIR}/index.html is missing: run npm run build`);
  const made = await runCli(['token', 'create', '--role', 'viewer', '--name', 'ui-test', '--data-dir', dir.path]);
  assert.equal(made.code, 0, made.stderr);
  token = made.stdout.trim();
  server = await startServerProcess(dir.path, ['--auth', 'tokens']);
});

after(async () => {
  await server.stop();
  dir.remove();
});

async function indexHtml(response: Response): Promise<string> {
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(response.headers.get('cache-control'), 'no-cache');
  assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'.*frame-ancestors 'none'/);
  const text = await response.text();
  assert.match(text, /<div id="root"><\/div>/);
  return text;
}

test('/ is the app, without a token; its hashed assets are cached for good, other files revalidated', async () => {
  const html = await indexHtml(await get('/'));
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  assert.ok(assets.some((a) => a.endsWith('.js')), `no script in ${html}`);
  for (const asset of assets) {
    const response = await get(asset);
    assert.equal(response.status, 200, asset);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable', asset);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.match(response.headers.get('content-type') ?? '', asset.endsWith('.js') ? /javascript/ : /text\/css/);
    assert.ok((await response.text()).length > 0);
  }
  const favicon = await get('/favicon.svg');
  assert.equal(favicon.status, 200);
  assert.equal(favicon.headers.get('cache-control'), 'no-cache');
  assert.equal((await get('/', {}, 'HEAD')).status, 200);
});

test("the app's own addresses get index.html when a browser asks for a page", async () => {
  for (const path of ['/jobs/nightly-report', '/jobs/a/graph', '/runs/0mx4vx1es-a6a36c00001', '/timeline', '/cluster', '/owners?x=1']) {
    await indexHtml(await get(path, HTML));
  }
});

test('anything else no route answers is a JSON 404: API paths, missing assets, non-page requests, other methods', async () => {
  for (const [method, path, headers] of [
    ['GET', '/api/v1/nope', HTML],
    ['GET', '/api/v2', HTML],
    ['GET', '/metrics/nope', HTML],
    ['GET', '/openapi.json/x', HTML],
    ['GET', '/assets/missing-abc123.js', {}],
    ['GET', '/jobs/nightly-report', { accept: 'application/json' }],
    ['POST', '/', {}],
    ['DELETE', '/jobs/x', HTML],
  ] as const) {
    const response = await get(path, headers, method);
    assert.equal(response.status, 404, `${method} ${path}`);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/, `${method} ${path}`);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'not_found');
  }
});

test('the API still needs the token; /api/v1 is the public index', async () => {
  assert.equal((await get('/api/v1/jobs')).status, 401);
  assert.equal((await get('/api/v1/jobs', { authorization: `Bearer ${token}` })).status, 200);
  assert.equal((await get('/api/v1/timeline')).status, 401);
  const index = await get('/api/v1');
  assert.equal(index.status, 200);
  assert.deepEqual(await index.json(), {
    name: 'moroccron',
    version: (await (await get('/openapi.json')).json() as { info: { version: string } }).info.version,
    api: '/api/v1',
    openapi: '/openapi.json',
    metrics: '/metrics',
    events: '/api/v1/events',
    ui: '/',
  });
});

/** GET a path exactly as written: fetch would resolve the dots before sending. */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${server.url}/`, { path, headers: HTML }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

test('nothing outside dist/ui is served, however the path is spelled', async () => {
  for (const path of ['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/.%2e/.%2e/cli/main.js', '/assets/../../cli/main.js', '//etc/passwd', '/%00']) {
    const { status, body } = await rawGet(path);
    assert.ok(status === 200 || status === 400 || status === 403 || status === 404, `${path}: ${status}`);
    assert.ok(!body.includes('"bin"') && !body.includes('#!/usr/bin/env node') && !body.includes('root:'), `${path} answered ${status}: ${body.slice(0, 200)}`);
  }
});

// The UI tests' browser bypasses the Content-Security-Policy (to inject axe-core); this one keeps it.
test('every page renders under the Content-Security-Policy, with nothing blocked', { skip: chromiumUnavailable() ?? false }, async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Page code as text: the tests are compiled without the DOM's types.
    await page.addInitScript({
      content: `
        globalThis.violations = [];
        document.addEventListener('securitypolicyviolation', (e) => globalThis.violations.push(e.violatedDirective + ' ' + e.blockedURI + ' (' + e.sourceFile + ':' + e.lineNumber + ')'));
        sessionStorage.setItem('moroccron.token', ${JSON.stringify(token)});`,
    });
    for (const [path, testId] of [['/', 'page-jobs'], ['/timeline', 'page-timeline'], ['/cluster', 'page-cluster'], ['/owners', 'page-owners']]) {
      await page.goto(`${server.url}${path}`);
      await page.getByTestId(testId!).waitFor({ timeout: 10_000 });
      assert.deepEqual(await page.evaluate(() => (globalThis as unknown as { violations: string[] }).violations), [], path);
    }
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
  }
});

test('serving the UI answers each request once: the server logs no second answer or failed request', () => {
  const complaints = server
    .output()
    .split('\n')
    .filter((line) => /already sent|request failed|"level":50/.test(line));
  assert.deepEqual(complaints, []);
});
