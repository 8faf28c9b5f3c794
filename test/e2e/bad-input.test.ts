/**
 * Bad input gets a 4xx with {"error": {"code", "message", "details"}} naming the field,
 * never a 5xx, and the server keeps running and keeps its jobs.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { api, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

const dir = tempDir();
let server: ServerProcess;
before(async () => {
  server = await startServerProcess(join(dir.path, 'data'));
  assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'keeper', schedule: '@daily', command: 'true' })).status, 201);
});
after(async () => {
  await server.stop();
  dir.remove();
});

interface ErrorJson {
  error: { code: string; message: string; details: { field: string; message: string }[] };
}

const job = (fields: Record<string, unknown>) => ({ name: 'x', schedule: '@hourly', command: 'true', ...fields });

const cases: { what: string; method?: string; path?: string; body: unknown; contentType?: string; status: number; field?: string; says?: RegExp }[] = [
  { what: 'malformed JSON', body: '{"name":', status: 400, says: /JSON/i },
  { what: 'empty JSON body', body: '', status: 400 },
  { what: 'malformed YAML', body: 'name: [unclosed', contentType: 'application/yaml', status: 400, says: /YAML/ },
  { what: 'unsupported content type', body: 'name=x', contentType: 'application/x-www-form-urlencoded', status: 415 },
  { what: 'unknown field', body: job({ shedule: '@daily' }), status: 400, field: 'shedule', says: /unknown field/ },
  { what: 'cron minute out of range', body: job({ schedule: '61 * * * *' }), status: 400, field: 'schedule' },
  { what: 'cron with 3 fields', body: job({ schedule: '* * *' }), status: 400, field: 'schedule' },
  { what: 'bad ISO interval', body: job({ schedule: 'R/2026-01-01T00:00:00Z/PT0S' }), status: 400, field: 'schedule' },
  { what: 'unknown time zone', body: job({ timezone: 'Mars/Olympus' }), status: 400, field: 'timezone', says: /Mars\/Olympus/ },
  { what: 'negative cpus', body: job({ resources: { cpus: -1 } }), status: 400, field: 'resources.cpus' },
  { what: 'name with a slash', body: job({ name: 'a/b' }), status: 400, field: 'name' },
  { what: 'name with ..', body: job({ name: '../etc' }), status: 400, field: 'name' },
  { what: 'name with dots only', body: job({ name: 'a..b' }), status: 400, field: 'name' },
  { what: 'upper-case name', body: job({ name: 'Nightly' }), status: 400, field: 'name' },
  { what: 'no command', body: { name: 'x', schedule: '@hourly' }, status: 400, field: 'command' },
  { what: 'command and args', body: job({ args: ['true'] }), status: 400, field: 'command' },
  { what: 'bad duration', body: job({ timeout: 'soon' }), status: 400, field: 'timeout', says: /soon/ },
  { what: 'bad misfire policy', body: job({ misfire: { policy: 'sometimes' } }), status: 400, field: 'misfire.policy' },
  { what: 'bad concurrency', body: job({ concurrency: 'maybe' }), status: 400, field: 'concurrency' },
  { what: 'bad dst rule', body: job({ dst: { gap: 'later', overlap: 'once' } }), status: 400, field: 'dst.gap' },
  { what: 'bad constraint operator', body: job({ constraints: [['rack', 'NEAR', 'x']] }), status: 400, field: 'constraints[0]' },
  { what: 'bad constraint regex', body: job({ constraints: [['rack', 'LIKE', '([']] }), status: 400, field: 'constraints[0]' },
  { what: 'missing parent', body: job({ after: ['ghost'] }), status: 400, field: 'after[0]', says: /ghost/ },
  { what: 'self dependency', body: job({ name: 'selfish', after: ['selfish'] }), status: 400, field: 'after' },
  { what: 'bad env name', body: job({ env: { 'BAD-NAME': '1' } }), status: 400, field: 'env.BAD-NAME' },
  { what: 'list with one bad job', body: [job({ name: 'ok-one' }), job({ name: 'bad-one', schedule: 'nope' })], status: 400, field: '[1].schedule' },
  { what: 'duplicate names in a list', body: [job({}), job({})], status: 400, field: '[1].name' },
  { what: 'oversize body', body: JSON.stringify(job({ description: 'x'.repeat(2 << 20) })), status: 413 },
  { what: 'PUT with another name', method: 'PUT', path: '/api/v1/jobs/one', body: job({ name: 'two' }), status: 400, field: 'name' },
  { what: 'bad path name', method: 'GET', path: '/api/v1/jobs/..%2Fetc', body: undefined, status: 400, field: 'name' },
  { what: 'bad run list limit', method: 'GET', path: '/api/v1/runs?limit=abc', body: undefined, status: 400, field: 'limit' },
  { what: 'bad run status filter', method: 'GET', path: '/api/v1/runs?status=weird', body: undefined, status: 400, field: 'status' },
  { what: 'bad cursor', method: 'GET', path: '/api/v1/runs?cursor=zzz', body: undefined, status: 400, field: 'cursor' },
  { what: 'unknown query parameter', method: 'GET', path: '/api/v1/runs?jbo=x', body: undefined, status: 400 },
  { what: 'bad log offset', method: 'GET', path: '/api/v1/runs/abc/logs?offset=-1', body: undefined, status: 400, field: 'offset' },
  { what: 'unknown run', method: 'GET', path: '/api/v1/runs/nope', body: undefined, status: 404 },
  { what: 'kill unknown run', method: 'POST', path: '/api/v1/runs/nope/kill', body: undefined, status: 404 },
  { what: 'run unknown job', method: 'POST', path: '/api/v1/jobs/nope/run', body: undefined, status: 404 },
  { what: 'unknown route', method: 'GET', path: '/api/v1/nothing', body: undefined, status: 404 },
];

for (const c of cases) {
  test(`bad input: ${c.what} -> ${c.status}`, async () => {
    const path = c.path ?? '/api/v1/jobs';
    const body = typeof c.body === 'string' || c.body === undefined ? c.body : JSON.stringify(c.body);
    const response = await api<ErrorJson>(server.url + path, c.method ?? 'POST', body, c.contentType ?? 'application/json');
    assert.equal(response.status, c.status, JSON.stringify(response.body));
    const error = response.body.error;
    assert.ok(error && typeof error.code === 'string' && typeof error.message === 'string' && Array.isArray(error.details), JSON.stringify(response.body));
    if (c.field) {
      assert.ok(
        error.details.some((d) => d.field === c.field),
        `expected a detail for ${c.field}, got ${JSON.stringify(error.details)}`,
      );
    }
    if (c.says) assert.match(error.message + JSON.stringify(error.details), c.says);
  });
}

test('after all that the server is healthy and nothing was lost or half-applied', async () => {
  assert.equal((await api(`${server.url}/healthz`)).status, 200);
  const jobs = await api<{ jobs: { name: string }[] }>(`${server.url}/api/v1/jobs`);
  assert.deepEqual(
    jobs.body.jobs.map((j) => j.name),
    ['keeper'],
  );
});
