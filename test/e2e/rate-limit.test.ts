/**
 * --rate-limit: each API token (by its id), or each address without one, gets its own budget
 * of requests per window; over it, 429 with Retry-After in the one error shape. Probes are
 * never limited, a bad flag is one line naming it, and under the default limit a CLI following
 * a run's log and an event stream work as before.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_RATE_LIMIT } from '../../src/api/rate-limit.js';
import { runCli } from '../helpers/cli-process.js';
import { api, eventually, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

const BUDGET = 5;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: { code: string; message: string; details: unknown[] } };
}

/** A GET from `localAddress` (any 127.x address reaches the server on Linux), with an Authorization header if given. */
function get(url: string, path: string, options: { token?: string; from?: string } = {}): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: hostname, port, path, localAddress: options.from ?? '127.0.0.1', headers: options.token ? { authorization: `Bearer ${options.token}` } : {} },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          let body: Answer['body'] = {};
          try {
            body = JSON.parse(text) as Answer['body'];
          } catch {
            // not JSON (metrics): the status says enough
          }
          resolve({ status: res.statusCode!, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function spend(url: string, times: number, options: { token?: string; from?: string } = {}): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) statuses.push((await get(url, '/api/v1/jobs', options)).status);
  return statuses;
}

function assertLimited(answer: Answer, who: RegExp): void {
  assert.equal(answer.status, 429, JSON.stringify(answer.body));
  const retryAfter = Number(answer.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `retry-after: ${answer.headers['retry-after']}`);
  assert.equal(answer.body.error?.code, 'rate_limited');
  assert.match(answer.body.error!.message, who);
  assert.deepEqual(answer.body.error!.details, []);
}

describe(`--rate-limit ${BUDGET}/1m`, () => {
  const dir = tempDir();
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess(join(dir.path, 'data'), ['--rate-limit', `${BUDGET}/1m`]);
  });
  after(async () => {
    await server.stop();
    dir.remove();
  });

  test('an address without a token gets its budget, then 429 with Retry-After in the error shape; probes still answer', async () => {
    const within = await spend(server.url, BUDGET);
    assert.ok(within.every((s) => s !== 429), `within the budget: ${within}`);
    const first = await get(server.url, '/api/v1/jobs');
    assert.equal(first.headers['x-ratelimit-limit'], String(BUDGET));
    assertLimited(first, /address 127\.0\.0\.1 made more than 5 requests in 1m/);
    assertLimited(await get(server.url, '/api/v1/no-such-route'), /127\.0\.0\.1/);
    for (const probe of ['/healthz', '/readyz']) assert.equal((await get(server.url, probe)).status, 200, probe);
  });

  test('another address has a budget of its own', async () => {
    const other = await spend(server.url, BUDGET, { from: '127.0.0.2' });
    assert.ok(other.every((s) => s !== 429), `127.0.0.2 within its budget: ${other}`);
    assertLimited(await get(server.url, '/api/v1/jobs', { from: '127.0.0.2' }), /address 127\.0\.0\.2/);
  });

  test('a made-up token earns no budget of its own: it spends the address\'s', async () => {
    assertLimited(await get(server.url, '/api/v1/jobs', { token: 'mcr_0123456789ab_' + 'A'.repeat(43) }), /address 127\.0\.0\.1/);
    assertLimited(await get(server.url, '/api/v1/jobs', { token: 'not-a-moroccron-token' }), /address 127\.0\.0\.1/);
  });
});

describe(`--rate-limit ${BUDGET}/1m with --auth tokens`, () => {
  const dir = tempDir();
  let server: ServerProcess;
  const tokens: string[] = [];
  before(async () => {
    for (const name of ['alpha', 'beta']) {
      const made = await runCli(['token', 'create', '--role', 'viewer', '--name', name, '--data-dir', join(dir.path, 'data')]);
      assert.equal(made.code, 0, made.stderr);
      tokens.push(made.stdout.trim());
    }
    server = await startServerProcess(join(dir.path, 'data'), ['--rate-limit', `${BUDGET}/1m`, '--auth', 'tokens']);
  });
  after(async () => {
    await server.stop();
    dir.remove();
  });

  test('each verified token has a budget of its own, named by its id; its first request spends its address\'s', async () => {
    const [alpha, beta] = tokens as [string, string];
    const alphaId = alpha.slice(4, 16);
    // The first request verifies the token (on the address's budget); then the token pays.
    const spent = await spend(server.url, BUDGET + 1, { token: alpha });
    assert.ok(spent.every((s) => s === 200), `alpha within its budget: ${spent}`);
    assertLimited(await get(server.url, '/api/v1/jobs', { token: alpha }), new RegExp(`token ${alphaId} made more than 5 requests`));
    const betaSpent = await spend(server.url, BUDGET + 1, { token: beta });
    assert.ok(betaSpent.every((s) => s === 200), `beta has its own budget: ${betaSpent}`);
    // Both first requests came from 127.0.0.1: it has BUDGET - 2 left.
    const addressLeft = await spend(server.url, BUDGET - 2);
    assert.ok(addressLeft.every((s) => s === 401), `the address keeps the rest of its budget: ${addressLeft}`);
    assertLimited(await get(server.url, '/api/v1/jobs'), /address 127\.0\.0\.1/);
  });
});

describe('--rate-limit values', () => {
  const dir = tempDir();
  after(() => dir.remove());
  for (const value of ['abc', '600', '0/1m', '-5/1m', '10/0.5s', '10/soon', '10/']) {
    test(`"${value}" is refused in one line naming the flag`, async () => {
      const result = await runCli(['serve', '--port', '0', '--data-dir', dir.path, '--rate-limit', value]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /^moroccron: --rate-limit must be requests per duration such as 600\/1m/);
    });
  }
  test('MOROCCRON_RATE_LIMIT is read like the flag', async () => {
    const result = await runCli(['serve', '--port', '0', '--data-dir', dir.path], { env: { MOROCCRON_RATE_LIMIT: 'lots' } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--rate-limit .*"lots"/);
  });
});

describe(`the default limit, ${DEFAULT_RATE_LIMIT}`, () => {
  const dir = tempDir();
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess(join(dir.path, 'data'), ['--rate-limit', DEFAULT_RATE_LIMIT]);
  });
  after(async () => {
    await server.stop();
    dir.remove();
  });

  test('logs --follow on a run that writes for 3 s, and an event stream, work under it', async () => {
    assert.equal((await get(server.url, '/api/v1/jobs')).headers['x-ratelimit-limit'], '600');
    const events = new AbortController();
    const stream = await fetch(`${server.url}/api/v1/events?job=slow`, { signal: events.signal });
    assert.equal(stream.status, 200);
    let seen = '';
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream.body!) seen += decoder.decode(chunk as Uint8Array);
    })().catch(() => {});

    const command = 'for i in 1 2 3 4 5 6; do echo line $i; sleep 0.5; done';
    assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'slow', command })).status, 201);
    const run = await api<{ id: string }>(`${server.url}/api/v1/jobs/slow/run`, 'POST');
    assert.equal(run.status, 201);
    const follow = await runCli(['logs', run.body.id, '--follow', '--server', server.url]);
    assert.equal(follow.code, 0, follow.stderr);
    assert.equal(follow.stdout, [1, 2, 3, 4, 5, 6].map((i) => `line ${i}\n`).join(''));
    await eventually(async () => (/"status":"succeeded"/.test(seen) ? true : undefined), 10_000, 'the event stream to tell the run succeeded');
    events.abort();
    await reading;
  });
});
