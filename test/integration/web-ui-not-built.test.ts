/**
 * An API server whose package was built without the web UI (no dist/ui): `/` and page
 * addresses answer a short page saying how to build it, never a 500; the API is untouched.
 * Built later, it is served at once. The real HTTP server (buildApi) on loopback, over a real
 * SQLite store, with no leader.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { tempDir } from '../helpers/server-process.js';
import { startStandbyApi } from '../helpers/standby-api.js';

const dir = tempDir();
let store: Store;
let app: FastifyInstance;
let url: string;

before(async () => {
  store = await openStore(`sqlite:${join(dir.path, 'moroccron.db')}`);
  ({ app, url } = await startStandbyApi(store, { uiDir: join(dir.path, 'no-ui-here') }));
});

after(async () => {
  await app.close();
  await store.close();
  dir.remove();
});

test('/ says the UI is not built and how to build it, with a link to the API', async () => {
  for (const accept of ['*/*', 'text/html']) {
    const response = await fetch(`${url}/`, { headers: { accept } });
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    const page = await response.text();
    assert.match(page, /The web UI is not built/);
    assert.match(page, /npm run build/);
    assert.match(page, /href="\/api\/v1"/);
  }
});

test("the app's page addresses say the same to a browser; everything else is a JSON 404", async () => {
  const page = await fetch(`${url}/jobs/nightly`, { headers: { accept: 'text/html' } });
  assert.equal(page.status, 404);
  assert.match(await page.text(), /The web UI is not built/);
  for (const [path, accept] of [['/jobs/nightly', 'application/json'], ['/api/v1/nope', 'text/html'], ['/favicon.svg', '*/*']]) {
    const response = await fetch(`${url}${path}`, { headers: { accept: accept! } });
    assert.equal(response.status, 404, path);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'not_found');
  }
});

test('the API answers as ever: the index, and reads from the store', async () => {
  const index = await fetch(`${url}/api/v1`);
  assert.equal(index.status, 200);
  assert.equal(((await index.json()) as { version: string }).version, 'test');
  const timeline = await fetch(`${url}/api/v1/timeline?hours=1&bucketMinutes=60`);
  assert.equal(timeline.status, 200);
  assert.deepEqual(((await timeline.json()) as { jobs: unknown[] }).jobs, []);
});

test('a UI built while the server runs is served from then on, without a restart', async () => {
  const uiDir = join(dir.path, 'no-ui-here');
  mkdirSync(join(uiDir, 'assets'), { recursive: true });
  writeFileSync(join(uiDir, 'assets', 'app-0a1b2c3d.js'), 'console.log("built");\n');
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/app-0a1b2c3d.js"></script>\n');
  const page = await fetch(`${url}/jobs/nightly`, { headers: { accept: 'text/html' } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<div id="root">/);
  const script = await fetch(`${url}/assets/app-0a1b2c3d.js`);
  assert.equal(script.status, 200);
  assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(await script.text(), 'console.log("built");\n');
});
