/**
 * HTTPS end to end: `serve --tls-cert --tls-key` with a throwaway CA made by openssl, and the
 * CLI trusting it with --ca or MOROCCRON_CA, for every verb that talks to a server (the
 * import's Chronos server included). What it cannot use is one line naming the flag and file.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, type CliResult } from '../helpers/cli-process.js';
import { eventually, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';
import { getJson, makeTestPki, opensslUnavailable, type TestPki } from '../helpers/test-pki.js';

const skip = opensslUnavailable() ?? false;
const dir = tempDir('moroccron-tls-');
let pki: TestPki;

before(async () => {
  if (!skip) pki = await makeTestPki(dir.path);
});
after(() => dir.remove());

/** A failure the CLI reports in one line, without a stack trace. */
function assertOneLineError(r: CliResult, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit ${r.code}: ${r.stderr}`);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, `more than one line:\n${r.stderr}`);
  assert.match(r.stderr, /^moroccron: /);
  assert.match(r.stderr, pattern);
}

describe('serve --tls-cert --tls-key, and the CLI with --ca', { skip }, () => {
  let server: ServerProcess;
  const data = tempDir('moroccron-tls-data-');
  const withCa = (args: string[], env: Record<string, string> = {}) => runCli([...args, '--server', server.url, '--ca', pki.caCert], { env });

  before(async () => {
    server = await startServerProcess(data.path, ['--tls-cert', pki.serverCert, '--tls-key', pki.serverKey]);
  });
  after(async () => {
    await server.stop();
    data.remove();
  });

  test('the log line and the member URL (where standbys redirect) say https', async () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const cluster = await getJson<{ self: { url: string } }>(`${server.url}/api/v1/cluster`, pki.caCert);
    assert.equal(cluster.body.self.url, server.url);
  });

  test('a job applied, run, listed and its log followed over https with --ca', async () => {
    const jobFile = join(dir.path, 'tls-job.yaml');
    writeFileSync(jobFile, 'name: over-tls\ncommand: "echo hello over tls"\n');
    const applied = await withCa(['apply', '-f', jobFile]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /applied 1 job\(s\): over-tls/);

    const ran = await withCa(['run', 'over-tls', '--json']);
    assert.equal(ran.code, 0, ran.stderr);
    const runId = (JSON.parse(ran.stdout) as { id: string }).id;
    const followed = await withCa(['logs', runId, '--follow']);
    assert.equal(followed.code, 0, followed.stderr);
    assert.equal(followed.stdout, 'hello over tls\n');

    await eventually(
      async () => {
        const runs = await withCa(['runs', 'over-tls', '--json']);
        return (JSON.parse(runs.stdout) as { runs: { status: string }[] }).runs[0]?.status === 'succeeded' ? true : undefined;
      },
      10_000,
      'the run to succeed',
    );
    const jobs = await withCa(['jobs']);
    assert.equal(jobs.code, 0, jobs.stderr);
    assert.match(jobs.stdout, /^NAME +SCHEDULE/);
    assert.match(jobs.stdout, /\nover-tls +/);
  });

  test('MOROCCRON_CA works as --ca does', async () => {
    const r = await runCli(['jobs', '--json', '--server', server.url], { env: { MOROCCRON_CA: pki.caCert } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Array.isArray((JSON.parse(r.stdout) as { jobs: unknown[] }).jobs));
  });

  test('without a CA, or with a CA that did not sign the certificate: one line naming --ca and MOROCCRON_CA, exit 1', async () => {
    const untrusted = /certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted .*--ca FILE or MOROCCRON_CA/;
    assertOneLineError(await runCli(['jobs', '--server', server.url]), 1, untrusted);
    assertOneLineError(await runCli(['jobs', '--server', server.url, '--ca', pki.otherCaCert]), 1, untrusted);
    assertOneLineError(await runCli(['jobs', '--server', server.url], { env: { MOROCCRON_CA: pki.otherCaCert } }), 1, untrusted);
  });

  test('http:// for an https server: one line saying so, exit 1', async () => {
    assertOneLineError(await runCli(['jobs', '--server', server.url.replace('https:', 'http:'), '--ca', pki.caCert]), 1, /does it serve https:\/\//);
  });

  test('a CA file that cannot be read or holds no certificate: one line naming it, exit 2', async () => {
    const missing = join(dir.path, 'missing.pem');
    assertOneLineError(await runCli(['jobs', '--server', server.url, '--ca', missing]), 2, new RegExp(`--ca ${missing}: cannot read it \\(ENOENT\\)`));
    assertOneLineError(await runCli(['jobs', '--server', server.url], { env: { MOROCCRON_CA: missing } }), 2, new RegExp(`MOROCCRON_CA ${missing}: cannot read it`));
    assertOneLineError(await runCli(['jobs', '--server', server.url, '--ca', pki.serverKey]), 2, new RegExp(`--ca ${pki.serverKey}: no PEM certificate in it`));
    assertOneLineError(await runCli(['jobs', '--server', server.url, '--ca', '']), 2, /--ca needs a PEM file/);
  });

  describe('import chronos from an https Chronos server', () => {
    let chronos: Server;
    let chronosUrl: string;
    before(async () => {
      const jobs = [{ name: 'chronos_over_tls', command: 'echo hi', schedule: 'R/2030-01-01T00:00:00Z/PT1H' }];
      chronos = createServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }, (req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jobs));
      });
      await new Promise<void>((resolve) => chronos.listen(0, '127.0.0.1', resolve));
      chronosUrl = `https://127.0.0.1:${(chronos.address() as AddressInfo).port}/v1/scheduler/jobs`;
    });
    after(() => chronos.close());

    test('--from https:// and --apply to an https moroccron, both trusted through --ca', async () => {
      const r = await withCa(['import', 'chronos', '--from', chronosUrl, '--apply']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /applied 1 job\(s\): chronos_over_tls/);
      const job = await getJson<{ name: string }>(`${server.url}/api/v1/jobs/chronos_over_tls`, pki.caCert);
      assert.equal(job.status, 200);
    });

    test('a Chronos certificate the CLI does not trust: one line naming the URL and --ca, exit 1', async () => {
      const r = await runCli(['import', 'chronos', '--from', chronosUrl]);
      assertOneLineError(r, 1, new RegExp(`cannot read ${chronosUrl.replace(/[/.]/g, '\\$&')}: the certificate of https://127\\.0\\.0\\.1:\\d+ is not trusted .*--ca`));
      assert.equal(r.stdout, '');
    });
  });
});

describe('serve refuses TLS settings it cannot use, in one line', { skip }, () => {
  const data = tempDir('moroccron-tls-refused-');
  after(() => data.remove());
  const serve = (args: string[], env: Record<string, string> = {}) => runCli(['serve', '--port', '0', '--data-dir', data.path, ...args], { env, killAfterMs: 15_000 });

  test('one of --tls-cert and --tls-key without the other is a usage error naming the missing one', async () => {
    assertOneLineError(await serve(['--tls-cert', pki.serverCert]), 2, /--tls-cert needs --tls-key too/);
    assertOneLineError(await serve(['--tls-key', pki.serverKey]), 2, /--tls-key needs --tls-cert too/);
    assertOneLineError(await serve([], { MOROCCRON_TLS_CERT: pki.serverCert }), 2, /--tls-cert needs --tls-key too/);
    const config = join(data.path, 'config.yaml');
    writeFileSync(config, `tlsKey: ${pki.serverKey}\n`);
    assertOneLineError(await serve(['--config', config]), 2, /--tls-key needs --tls-cert too/);
  });

  test('a file that cannot be read, is not PEM, an encrypted key or one that is not the certificate\'s: the flag and the file named', async () => {
    const garbage = join(data.path, 'garbage.pem');
    writeFileSync(garbage, 'this is not PEM\n');
    const missing = join(data.path, 'missing.pem');
    const cases: [string[], RegExp][] = [
      [['--tls-cert', missing, '--tls-key', pki.serverKey], new RegExp(`--tls-cert ${missing}: cannot read it \\(ENOENT\\)`)],
      [['--tls-cert', pki.serverCert, '--tls-key', missing], new RegExp(`--tls-key ${missing}: cannot read it \\(ENOENT\\)`)],
      [['--tls-cert', garbage, '--tls-key', pki.serverKey], new RegExp(`--tls-cert ${garbage}: no PEM certificate in it`)],
      [['--tls-cert', pki.serverKey, '--tls-key', pki.serverKey], new RegExp(`--tls-cert ${pki.serverKey}: no PEM certificate in it`)],
      [['--tls-cert', pki.serverCert, '--tls-key', garbage], new RegExp(`--tls-key ${garbage}: not a PEM private key`)],
      [['--tls-cert', pki.serverCert, '--tls-key', pki.serverCert], new RegExp(`--tls-key ${pki.serverCert}: not a PEM private key`)],
      [['--tls-cert', pki.serverCert, '--tls-key', pki.caKey], new RegExp(`--tls-key ${pki.caKey} is not the key of the certificate in --tls-cert ${pki.serverCert}`)],
      [['--tls-cert', pki.serverCert, '--tls-key', pki.encryptedServerKey], new RegExp(`--tls-key ${pki.encryptedServerKey}: the key is encrypted; give it without a passphrase`)],
    ];
    for (const [args, pattern] of cases) assertOneLineError(await serve(args), 2, pattern);
  });
});
