/**
 * `moroccron import chronos` (the built bin): Chronos JSON from a file, standard input or a
 * Chronos server's /v1/scheduler/jobs, written as job files that moroccron's own reader
 * accepts, or applied to a running server.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readJobFile } from '../../src/core/job-file.js';
import { runCli } from '../helpers/cli-process.js';
import { startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'chronos');
const fixturePath = (file: string): string => join(FIXTURES, file);
const fixtureJobs = (...files: string[]): unknown[] => files.flatMap((f) => JSON.parse(readFileSync(fixturePath(f), 'utf8')) as unknown[]);

const cli = (args: string[], stdin?: string) => runCli(args, stdin === undefined ? {} : { stdin });

/** The written file, read with moroccron's own job-file reader (owners and jobs). */
function readOutput(stdout: string): { jobs: string[]; owners: string[] } {
  const read = readJobFile(stdout, 'import.yaml');
  assert.ok(read.ok, `the job-file reader refused the output: ${JSON.stringify(read)}\n${stdout}`);
  return { jobs: read.value.jobs.map((j) => j.name), owners: read.value.owners.map((o) => o.name) };
}

describe('import chronos -f', () => {
  for (const file of ['scheduled.json', 'dependent.json', 'shell-false.json', 'container.json', 'unmappable.json', 'names.json']) {
    test(`${file}: every job is written and read back by the job-file reader`, async () => {
      const r = await cli(['import', 'chronos', '-f', fixturePath(file)]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(readOutput(r.stdout).jobs.length, fixtureJobs(file).length);
      assert.match(r.stderr, new RegExp(`^chronos import from .*${file}: ${fixtureJobs(file).length} job\\(s\\)`));
    });
  }

  test('what cannot be mapped is a comment above the job and a line on stderr', async () => {
    const r = await cli(['import', 'chronos', '-f', fixturePath('unmappable.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /# not imported: uris \(fetch URIs; put the files in the command or the image\)\n(# .*\n)*name: legacy_etl\n/);
    assert.match(r.stderr, /\n {2}legacy_etl: not imported: uris \(fetch URIs; put the files in the command or the image\)\n/);
    assert.deepEqual(readOutput(r.stdout).owners, ['etl']);
  });

  test('jobs that cannot be made valid are named with their field on stderr, the rest is written, exit 1', async () => {
    const r = await cli(['import', 'chronos', '-f', fixturePath('invalid.json')]);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(readOutput(r.stdout).jobs, ['fine']);
    assert.match(r.stderr, /left out: url_job: command: is a URL/);
    assert.match(r.stderr, /left out: bad_zone: timezone \(Chronos scheduleTimeZone\): unknown time zone "Mars\/Olympus_Mons"/);
    assert.match(r.stderr, /left out: after_url_job: after \(Chronos parents\): its parent "url_job" is left out/);
    assert.match(r.stderr, /\nmoroccron: 3 Chronos job\(s\) could not be imported/);
  });

  test('-f - reads standard input', async () => {
    const r = await cli(['import', 'chronos', '-f', '-'], readFileSync(fixturePath('names.json'), 'utf8'));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readOutput(r.stdout).jobs, ['sample-job1-2', 'sample-job1', 'nightly-report-2', 'report.weekly', 'after-both']);
  });

  test('usage errors exit 2: no source, two sources, another system; input that is not JSON exits 1', async () => {
    for (const args of [['import', 'chronos'], ['import', 'chronos', '-f', 'x', '--from', 'http://127.0.0.1:1/'], ['import', 'cron', '-f', 'x'], ['import', 'chronos', '--from', 'ftp://x/']]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^moroccron: /);
    }
    const notJson = await cli(['import', 'chronos', '-f', '-'], 'name: yaml\n');
    assert.equal(notJson.code, 1);
    assert.match(notJson.stderr, /^moroccron: \(stdin\) is not JSON/);
  });
});

describe('import chronos --from', () => {
  const served = fixtureJobs('scheduled.json', 'dependent.json', 'container.json', 'names.json');
  let chronos: Server;
  let base: string;
  let authorization: string | undefined;
  before(async () => {
    chronos = createServer((req, res) => {
      authorization = req.headers.authorization;
      if (req.method === 'GET' && req.url === '/v1/scheduler/jobs') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => chronos.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(chronos.address() as AddressInfo).port}`;
  });
  after(() => chronos.close());

  test("a Chronos server's job list is fetched and converted", async () => {
    const r = await cli(['import', 'chronos', '--from', `${base}/v1/scheduler/jobs`]);
    assert.equal(r.code, 0, r.stderr);
    const { jobs, owners } = readOutput(r.stdout);
    assert.equal(jobs.length, served.length);
    assert.ok(jobs.includes('hostings_earnings_summary') && jobs.includes('dockerjob') && jobs.includes('after-both'));
    assert.deepEqual(owners, ['data-team', 'bob', 'bob-2']);
    assert.equal(authorization, undefined);
  });

  test('user:password in the URL is sent as Basic authentication and not shown', async () => {
    const r = await cli(['import', 'chronos', '--from', `http://ops:s3cret@${base.slice('http://'.length)}/v1/scheduler/jobs`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(authorization, `Basic ${Buffer.from('ops:s3cret').toString('base64')}`);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cret/);
  });

  test('an answer that is not 2xx fails in one line, exit 1', async () => {
    const r = await cli(['import', 'chronos', '--from', `${base}/v1/nothing`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^moroccron: http:\/\/127\.0\.0\.1:\d+\/v1\/nothing answered 404/);
  });
});

describe('import chronos --apply', () => {
  const data = tempDir('moroccron-chronos-');
  let server: ServerProcess;
  before(async () => {
    // Owners with e-mail addresses are refused by a server that cannot send e-mail. Nothing
    // listens on the SMTP port: no mail is meant to go out during the test.
    server = await startServerProcess(data.path, ['--attributes', 'rack=rack-1', '--smtp-url', `smtp://127.0.0.1:${await closedPort()}`, '--mail-from', 'moroccron@example.com']);
  });
  after(async () => {
    await server.stop();
    data.remove();
  });

  test('owners are put first, then every job in one request; the notes go to stderr', async () => {
    const input = JSON.stringify(fixtureJobs('scheduled.json', 'dependent.json', 'shell-false.json', 'names.json'));
    const r = await cli(['import', 'chronos', '-f', '-', '--apply', '--server', server.url], input);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^applied 4 owner\(s\): data-team, bob, bob-2, bofh\napplied 11 job\(s\): /);
    assert.match(r.stderr, /camus_kafka2hdfs: not imported: fetch/);

    const listed = (await (await fetch(`${server.url}/api/v1/jobs`)).json()) as { jobs: { name: string; owners: string[]; after: string[] }[] };
    const byName = new Map(listed.jobs.map((j) => [j.name, j]));
    assert.equal(byName.size, 11);
    assert.deepEqual(byName.get('nightly_report')?.owners, ['data-team']);
    assert.deepEqual(byName.get('after-both')?.after, ['sample-job1-2', 'nightly-report-2']);
    const owner = (await (await fetch(`${server.url}/api/v1/owners/data-team`)).json()) as { email: string[] };
    assert.deepEqual(owner.email, ['data-team@example.com', 'oncall@example.com']);
  });

  test('a server that cannot be reached is a one-line error after the notes, exit 1, and no YAML is written', async () => {
    const r = await cli(['import', 'chronos', '-f', fixturePath('dependent.json'), '--apply', '--server', `http://127.0.0.1:${await closedPort()}`]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^chronos import from .*dependent\.json: 3 job\(s\), 1 owner\(s\)\n(.*\n)*moroccron: cannot reach moroccron at http:\/\/127\.0\.0\.1:\d+/);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
