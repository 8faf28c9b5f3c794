/**
 * Bad input gets a 4xx with {"error": {"code", "message", "details"}} naming the field,
 * never a 5xx, and the server keeps running and keeps its jobs.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
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

const deeplyNested = (depth: number): string => `${'['.repeat(depth)}"x"${']'.repeat(depth)}`;

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

  // 1. bad input that used to be a 500
  { what: 'empty timeout', body: job({ timeout: '' }), status: 400, field: 'timeout', says: /empty/ },
  { what: 'empty retries.backoff', body: job({ retries: { backoff: '' } }), status: 400, field: 'retries.backoff' },
  { what: 'empty killGracePeriod in YAML', body: 'name: x\ncommand: "true"\nkillGracePeriod: ""\n', contentType: 'application/yaml', status: 400, field: 'killGracePeriod' },
  { what: 'PUT whose name is an object', method: 'PUT', path: '/api/v1/jobs/x', body: '{"name":{"toString":1},"command":"true"}', status: 400, field: 'name' },
  { what: 'PUT whose name is a nested array', method: 'PUT', path: '/api/v1/jobs/x', body: `{"name":${deeplyNested(10)},"command":"true"}`, status: 400, field: 'name' },
  { what: 'PUT whose name is a deeply nested array', method: 'PUT', path: '/api/v1/jobs/x', body: `{"name":${deeplyNested(100_000)},"command":"true"}`, status: 400, says: /nested more than 32 levels/ },
  { what: 'POST whose name is an object', body: '{"name":{"toString":1},"command":"true"}', status: 400, field: 'name' },

  // 2. accepted, but could never run
  { what: 'NUL in command', body: job({ command: 'echo a\0b' }), status: 400, field: 'command', says: /NUL/ },
  { what: 'NUL in an args item', body: { name: 'x', args: ['/bin/echo', 'a\0b'] }, status: 400, field: 'args[1]', says: /NUL/ },
  { what: 'NUL in an env value', body: job({ env: { A: 'a\0b' } }), status: 400, field: 'env.A', says: /NUL/ },
  { what: 'NUL in an env name', body: job({ env: { 'A\0B': 'x' } }), status: 400, field: 'env.A\0B' },
  { what: 'command over MAX_ARG_STRLEN', body: job({ command: 'x'.repeat(131_072) }), status: 400, field: 'command', says: /MAX_ARG_STRLEN/ },
  { what: 'argument over MAX_ARG_STRLEN', body: { name: 'x', args: ['/bin/echo', 'x'.repeat(131_072)] }, status: 400, field: 'args[1]', says: /MAX_ARG_STRLEN/ },
  { what: 'env entry over MAX_ARG_STRLEN', body: job({ env: { AB: 'x'.repeat(131_070) } }), status: 400, field: 'env.AB', says: /MAX_ARG_STRLEN/ },
  { what: 'args over the ARG_MAX share', body: { name: 'x', args: ['/bin/true', ...Array<string>(120_000).fill('')] }, status: 400, field: 'args', says: /ARG_MAX/ },
  { what: 'timeout 0', body: job({ timeout: 0 }), status: 400, field: 'timeout', says: /at least 1ms/ },
  { what: 'timeout "0s"', body: job({ timeout: '0s' }), status: 400, field: 'timeout', says: /at least 1ms/ },
  { what: 'timeout 0.0001 s', body: job({ timeout: 0.0001 }), status: 400, field: 'timeout', says: /at least 1ms/ },
  { what: 'sla.lateAfter under 1 s', body: job({ sla: { lateAfter: '100ms' } }), status: 400, field: 'sla.lateAfter' },
  { what: 'history.maxAge under 1 minute', body: job({ history: { maxAge: 0 } }), status: 400, field: 'history.maxAge' },

  // 3. Fastify's own errors, in our shape, naming the field
  { what: 'path parameter over maxParamLength', method: 'GET', path: `/api/v1/jobs/${'a'.repeat(101)}`, body: undefined, status: 414, field: 'name' },
  { what: 'run id over maxParamLength', method: 'GET', path: `/api/v1/runs/${'a'.repeat(101)}/logs`, body: undefined, status: 414, field: 'id' },
  { what: 'malformed percent-encoding in the path', method: 'GET', path: '/api/v1/jobs/%E0%A4%A', body: undefined, status: 400, field: 'name', says: /percent-encoding/ },
  { what: 'unsupported content type names content-type', body: 'name=x', contentType: 'application/x-www-form-urlencoded', status: 415, field: 'content-type' },
  { what: 'oversize body names the body', body: JSON.stringify(job({ description: 'x'.repeat(2 << 20) })), status: 413, field: '(body)' },
  { what: 'empty JSON body names the body', body: '', status: 400, field: '(body)' },
  { what: 'blank JSON body', body: ' \n', status: 400, field: '(body)' },
  { what: 'malformed JSON names the body', body: '{"name":', status: 400, field: '(body)', says: /not valid JSON/ },
  { what: '__proto__ key at the top is valid JSON and an unknown field', body: '{"name":"x","command":"true","__proto__":{"polluted":1}}', status: 400, field: '__proto__', says: /unknown field/ },
  { what: '__proto__ key in env', body: '{"name":"x","command":"true","env":{"__proto__":{"A":"b"}}}', status: 400, field: 'env.__proto__', says: /unknown field/ },
  { what: 'constructor key in labels', body: job({ labels: { constructor: 'x' } }), status: 400, field: 'labels.constructor' },
  { what: '__proto__ in a list item', body: '[{"name":"x","command":"true","__proto__":{}}]', status: 400, field: '[0].__proto__' },
  { what: 'YAML env: {__proto__: {A: b}}', body: 'name: x\ncommand: "true"\nenv: {__proto__: {A: b}}\n', contentType: 'application/yaml', status: 400, field: 'env.__proto__' },
  { what: 'YAML prototype key', body: 'name: x\ncommand: "true"\nlabels:\n  prototype: y\n', contentType: 'application/yaml', status: 400, field: 'labels.prototype' },
  { what: 'list item that is a number', body: [1, 'x'], status: 400, field: '[0]' },
  { what: 'list item that is a string', body: [1, 'x'], status: 400, field: '[1]' },

  // 4. hostile input: sizes, traversal, YAML that expands, patterns that backtrack
  { what: 'a 5 MB JSON body', body: JSON.stringify(job({ description: 'x'.repeat(5 << 20) })), status: 413, field: '(body)' },
  { what: 'a 5 MB YAML body', body: `name: x\ncommand: "true"\ndescription: ${'x'.repeat(5 << 20)}\n`, contentType: 'application/yaml', status: 413, field: '(body)' },
  { what: 'encoded traversal in a run id (logs)', method: 'GET', path: '/api/v1/runs/..%2F..%2Fetc%2Fpasswd/logs', body: undefined, status: 400, field: 'id' },
  { what: 'encoded traversal in a run id', method: 'GET', path: '/api/v1/runs/..%2F..%2Fetc%2Fpasswd', body: undefined, status: 400, field: 'id' },
  { what: 'double-encoded traversal in a job name', method: 'GET', path: '/api/v1/jobs/%252e%252e%252fetc/runs', body: undefined, status: 400, field: 'name' },
  { what: 'encoded NUL in a job name', method: 'GET', path: '/api/v1/jobs/a%00b', body: undefined, status: 400, field: 'name' },
  { what: 'traversal in an owner name', method: 'GET', path: '/api/v1/owners/..%2F..%2Fetc%2Fpasswd', body: undefined, status: 400, field: 'name' },
  { what: 'YAML aliases that expand without bound', body: 'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n', contentType: 'application/yaml', status: 400, field: 'body', says: /alias/ },
  { what: 'a YAML alias with no anchor', body: 'name: *missing\ncommand: "true"\n', contentType: 'application/yaml', status: 400, field: 'body', says: /alias/i },
  { what: 'a constraint pattern only a backtracking engine runs', body: job({ constraints: [['hostname', 'LIKE', '(v)\\1']] }), status: 400, field: 'constraints[0]', says: /backtracking/ },
  { what: 'a schedule over 1000 characters', body: job({ schedule: `0 ${'1,'.repeat(600)}1 * * *` }), status: 400, field: 'schedule', says: /at most 1000 characters/ },
  { what: 'a time zone over 100 characters', body: job({ timezone: `Europe/${'x'.repeat(100)}` }), status: 400, field: 'timezone' },
  { what: 'a duration over 100 characters', body: job({ timeout: `${'1'.repeat(101)}s` }), status: 400, field: 'timeout' },
  { what: 'over 100 labels', body: job({ labels: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`l${i}`, 'v'])) }), status: 400, field: 'labels' },
  { what: 'a label value over 1000 characters', body: job({ labels: { team: 'x'.repeat(1001) } }), status: 400, field: 'labels.team' },
  { what: 'over 1000 parents', body: job({ after: Array.from({ length: 1001 }, (_, i) => `p${i}`) }), status: 400, field: 'after' },
  { what: 'over 100 constraints', body: job({ constraints: Array.from({ length: 101 }, () => ['hostname', 'UNIQUE']) }), status: 400, field: 'constraints' },
  { what: 'a webhook URL over 2000 characters', body: job({ triggers: { onSuccess: [{ url: `http://127.0.0.1/${'x'.repeat(2000)}` }] } }), status: 400, field: 'triggers.onSuccess[0].url' },
  { what: "an owner's Slack URL over 2000 characters", method: 'PUT', path: '/api/v1/owners/o', body: { slackWebhook: `https://hooks.slack.com/${'x'.repeat(2000)}` }, status: 400, field: 'slackWebhook' },
  { what: 'an owner e-mail address over 254 characters', method: 'PUT', path: '/api/v1/owners/o', body: { email: `${'x'.repeat(250)}@example.com` }, status: 400, field: 'email' },
  { what: 'an event stream filter that is no job name', method: 'GET', path: '/api/v1/events?job=..%2Fx', body: undefined, status: 400, field: 'job' },
  { what: 'a run status filter over 200 characters', method: 'GET', path: `/api/v1/runs?status=${'failed,'.repeat(40)}lost`, body: undefined, status: 400, field: 'status' },
  { what: 'a blacklist reason that is not a string', method: 'PUT', path: '/api/v1/agents/vm/blacklist', body: { reason: 42 }, status: 400, field: 'reason' },
  { what: 'a blacklist reason over 500 characters', method: 'PUT', path: '/api/v1/agents/vm/blacklist', body: { reason: 'x'.repeat(501) }, status: 400, field: 'reason' },
  { what: 'an unknown field in a blacklist body', method: 'PUT', path: '/api/v1/agents/vm/blacklist', body: { reasn: 'typo' }, status: 400, field: 'reasn' },
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

/** One request as raw bytes, for what fetch cannot send; the answer's status and JSON body. */
function rawRequest(text: string, { halfClose = false } = {}): Promise<{ status: number; body: ErrorJson }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(text);
      if (halfClose) socket.end();
    });
    let answer = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer in 10 s; got ${JSON.stringify(answer)}`)));
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
      try {
        resolve({ status, body: JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as ErrorJson });
      } catch {
        reject(new Error(`not our JSON error shape: ${JSON.stringify(answer)}`));
      }
    });
  });
}

const jobBody = JSON.stringify(job({ name: 'raw' }));
const post = (headers: string, body = jobBody) => `POST /api/v1/jobs HTTP/1.1\r\nHost: h\r\nConnection: close\r\n${headers}\r\n${body}`;

const rawCases: { what: string; request: string; halfClose?: boolean; status: number; field: string }[] = [
  { what: '64 KiB header', request: `GET /api/v1/jobs HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(64 << 10)}\r\n\r\n`, status: 431, field: 'headers' },
  { what: 'Content-Length that is not a number', request: post(`Content-Type: application/json\r\nContent-Length: abc\r\n`), status: 400, field: 'content-length' },
  { what: 'two different Content-Lengths', request: post(`Content-Type: application/json\r\nContent-Length: ${jobBody.length}\r\nContent-Length: ${jobBody.length + 1}\r\n`), status: 400, field: 'content-length' },
  { what: 'Content-Length larger than the body', request: post(`Content-Type: application/json\r\nContent-Length: ${jobBody.length + 50}\r\n`), halfClose: true, status: 400, field: 'content-length' },
  { what: 'Content-Length with Transfer-Encoding', request: post(`Content-Type: application/json\r\nContent-Length: ${jobBody.length}\r\nTransfer-Encoding: chunked\r\n`), status: 400, field: 'transfer-encoding' },
  { what: 'a body without Content-Type', request: post(`Content-Length: ${jobBody.length}\r\n`), status: 415, field: 'content-type' },
  { what: 'not HTTP at all', request: 'HELLO\r\n\r\n', status: 400, field: '(request)' },
];

for (const c of rawCases) {
  test(`bad input (raw HTTP): ${c.what} -> ${c.status}`, async () => {
    const { status, body } = await rawRequest(c.request, { halfClose: c.halfClose ?? false });
    assert.equal(status, c.status, JSON.stringify(body));
    assert.equal(typeof body.error.code, 'string');
    assert.equal(typeof body.error.message, 'string');
    assert.deepEqual(body.error.details.map((d) => d.field), [c.field], JSON.stringify(body));
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
