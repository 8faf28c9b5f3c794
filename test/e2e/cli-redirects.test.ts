/**
 * The CLI follows redirects itself: a standby's 307 to the leader (another port, so another
 * origin, where fetch would drop the Authorization header) is replayed with its method, body
 * and Authorization; at most 5 hops, and never from https to http. Small loopback servers
 * stand in for a standby and a leader that records what reached it; then a real HTTPS cluster
 * on etcd takes a write through its standby. The tests that need certificates need openssl.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, type CliResult } from '../helpers/cli-process.js';
import { etcdUnavailable, startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { eventually, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';
import { getJson, makeTestPki, opensslUnavailable, type TestPki } from '../helpers/test-pki.js';

const skip = opensslUnavailable() ?? false;
const dir = tempDir('moroccron-redirects-');
let pki: TestPki;
const JOB = { name: 'redirected', command: 'echo redirected' };
const jobFile = join(dir.path, 'job.yaml');

before(async () => {
  writeFileSync(jobFile, `name: ${JOB.name}\ncommand: "${JOB.command}"\n`);
  if (!skip) pki = await makeTestPki(dir.path);
});
after(() => dir.remove());

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

interface LoopbackServer {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

type Answer = (request: Seen, response: ServerResponse, self: string) => void;

/** An HTTP (or, with `tls`, HTTPS) server on loopback that records each request and answers with `answer`. */
async function loopbackServer(answer: Answer, tls = false): Promise<LoopbackServer> {
  const seen: Seen[] = [];
  let self = '';
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = { method: req.method!, url: req.url!, authorization: req.headers.authorization, body };
      seen.push(request);
      answer(request, res, self);
    });
  };
  const server = tls ? createHttpsServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: self, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Answers like a leader: the jobs posted to it, and an empty job list. */
const leaderAnswer: Answer = (request, res) => {
  res.setHeader('content-type', 'application/json');
  if (request.method === 'POST' && request.url === '/api/v1/jobs') res.writeHead(201).end(JSON.stringify({ jobs: JSON.parse(request.body) as unknown[] }));
  else if (request.method === 'GET' && request.url === '/api/v1/jobs') res.writeHead(200).end(JSON.stringify({ jobs: [] }));
  else if (request.method === 'GET' && request.url === '/v1/scheduler/jobs') res.writeHead(200).end(JSON.stringify([{ name: 'from_chronos', command: 'true', schedule: 'R/2030-01-01T00:00:00Z/PT1H' }]));
  else res.writeHead(404).end('{}');
};

/** Answers like a standby: every request redirected to `target`, same path. */
const redirectTo =
  (target: () => string, status = 307): Answer =>
  (request, res) =>
    res.writeHead(status, { location: target() + request.url, 'content-type': 'application/json' }).end('{"error":{"code":"not_leader","message":"not the leader"}}');

function assertOneLineError(r: CliResult, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit ${r.code}: ${r.stderr}`);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, `more than one line:\n${r.stderr}`);
  assert.match(r.stderr, pattern);
}

describe('the CLI follows redirects itself', () => {
  const servers: LoopbackServer[] = [];
  const start = async (answer: Answer, tls = false) => {
    const server = await loopbackServer(answer, tls);
    servers.push(server);
    return server;
  };
  after(async () => {
    for (const s of servers) await s.close();
  });

  test('a 307 to another port is replayed with the method, the body and the Authorization header', async () => {
    const leader = await start(leaderAnswer);
    const standby = await start(redirectTo(() => leader.url));
    const r = await runCli(['apply', '-f', jobFile, '--server', standby.url], { env: { MOROCCRON_TOKEN: 's3cret-t0ken' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /applied 1 job\(s\): redirected/);
    assert.deepEqual(
      standby.seen.map((s) => [s.method, s.url, s.authorization]),
      [['POST', '/api/v1/jobs', 'Bearer s3cret-t0ken']],
    );
    assert.equal(leader.seen.length, 1);
    assert.equal(leader.seen[0]!.method, 'POST');
    assert.equal(leader.seen[0]!.authorization, 'Bearer s3cret-t0ken');
    assert.deepEqual(JSON.parse(leader.seen[0]!.body), [JOB]);
  });

  test('several hops (307, then 308) are followed to the answer', async () => {
    const leader = await start(leaderAnswer);
    const second = await start(redirectTo(() => leader.url, 308));
    const first = await start(redirectTo(() => second.url));
    const r = await runCli(['apply', '-f', jobFile, '--server', first.url], { env: { MOROCCRON_TOKEN: 'tok' } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(leader.seen.map((s) => [s.method, s.authorization, JSON.parse(s.body) as unknown]), [['POST', 'Bearer tok', [JOB]]]);
  });

  test('http to https is followed, trusting --ca; without it, the leader\'s certificate is the one named', { skip }, async () => {
    const leader = await start(leaderAnswer, true);
    const standby = await start(redirectTo(() => leader.url));
    const r = await runCli(['apply', '-f', jobFile, '--server', standby.url, '--ca', pki.caCert], { env: { MOROCCRON_TOKEN: 'tok' } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(leader.seen.map((s) => [s.method, s.authorization]), [['POST', 'Bearer tok']]);

    const untrusted = await runCli(['jobs', '--server', standby.url]);
    assertOneLineError(untrusted, new RegExp(`the certificate of ${leader.url} \\(redirected there from ${standby.url}\\) is not trusted .*--ca FILE or MOROCCRON_CA`));
  });

  test('a leader that does not answer is named, not the standby that redirected there', async () => {
    const gone = await start(leaderAnswer);
    await gone.close();
    const standby = await start(redirectTo(() => gone.url));
    const r = await runCli(['jobs', '--server', standby.url]);
    assertOneLineError(r, new RegExp(`^moroccron: cannot reach moroccron at ${gone.url} \\(redirected there from ${standby.url}\\) \\(ECONNREFUSED\\)`));
  });

  test('https to http is refused in one line, exit 1, and nothing reaches the http server', { skip }, async () => {
    const leader = await start(leaderAnswer);
    const standby = await start(redirectTo(() => leader.url), true);
    const r = await runCli(['apply', '-f', jobFile, '--server', standby.url, '--ca', pki.caCert], { env: { MOROCCRON_TOKEN: 'tok' } });
    assertOneLineError(r, /^moroccron: https:\/\/127\.0\.0\.1:\d+ redirected to http:\/\/127\.0\.0\.1:\d+; not followed, since that would send the request and its credentials without TLS\n$/);
    assert.equal(standby.seen.length, 1);
    assert.equal(leader.seen.length, 0);
  });

  test('more than 5 redirects: one line, exit 1, after the first request and 5 hops', async () => {
    const looping = await start((request, res, self) => redirectTo(() => self)(request, res, self));
    const r = await runCli(['jobs', '--server', looping.url]);
    assertOneLineError(r, /^moroccron: http:\/\/127\.0\.0\.1:\d+\/api\/v1\/jobs: more than 5 redirects/);
    assert.equal(looping.seen.length, 6);
  });

  test('import chronos --from follows a redirect with its Basic credentials', async () => {
    const chronosLeader = await start(leaderAnswer);
    const chronosStandby = await start(redirectTo(() => chronosLeader.url));
    const from = `http://ops:pw@${chronosStandby.url.slice('http://'.length)}/v1/scheduler/jobs`;
    const r = await runCli(['import', 'chronos', '--from', from]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /name: from_chronos/);
    assert.equal(chronosLeader.seen[0]?.authorization, `Basic ${Buffer.from('ops:pw').toString('base64')}`);
  });
});

describe('an HTTPS cluster on etcd: the CLI writes through the standby', { skip: skip || (etcdUnavailable() ?? false), timeout: 120_000 }, () => {
  let etcd: EtcdServer;
  const data = tempDir('moroccron-redirects-ha-');
  const members: ServerProcess[] = [];
  const cluster = (m: ServerProcess) => getJson<{ isLeader: boolean; leader: { url: string } | null; self: { url: string } }>(`${m.url}/api/v1/cluster`, pki.caCert);

  before(async () => {
    etcd = await startEtcd();
    const store = `etcd://${etcd.hostPort}/tls-redirects-${process.pid}`;
    for (let i = 0; i < 2; i++) {
      members.push(await startServerProcess(join(data.path, `m${i}`), ['--store', store, '--tls-cert', pki.serverCert, '--tls-key', pki.serverKey]));
    }
  });
  after(async () => {
    for (const m of members) await m.stop();
    await etcd?.stop();
    data.remove();
  });

  test('the standby names an https leader, and apply and run sent to the standby land on it', async () => {
    const standby = await eventually(
      async () => {
        const views = await Promise.all(members.map(cluster));
        const leaders = views.filter((v) => v.body.isLeader).length;
        const index = views.findIndex((v) => !v.body.isLeader && v.body.leader !== null);
        return leaders === 1 && index >= 0 ? members[index] : undefined;
      },
      20_000,
      'one leader and a standby that knows it',
    );
    const leader = members.find((m) => m !== standby)!;
    const view = await cluster(standby);
    assert.equal(view.body.leader?.url, leader.url);
    assert.match(leader.url, /^https:\/\//);

    const applied = await runCli(['apply', '-f', jobFile, '--server', standby.url, '--ca', pki.caCert]);
    assert.equal(applied.code, 0, applied.stderr);
    const ran = await runCli(['run', JOB.name, '--json', '--server', standby.url, '--ca', pki.caCert]);
    assert.equal(ran.code, 0, ran.stderr);
    const runId = (JSON.parse(ran.stdout) as { id: string }).id;
    const log = await runCli(['logs', runId, '--follow', '--server', standby.url, '--ca', pki.caCert]);
    assert.equal(log.code, 0, log.stderr);
    assert.equal(log.stdout, 'redirected\n');
  });
});
