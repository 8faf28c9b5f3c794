/**
 * Mesos framework authentication end to end: `moroccron mesos-sim --principal --secret-file`
 * as a master run with --authenticate_http_frameworks (and read-only authentication), and
 * `moroccron serve --mesos-principal --mesos-secret-file` against it. A wrong secret: one
 * clear error, nothing launched, the secret nowhere in the output, and the framework
 * subscribes by itself once the master accepts it (a sim in this process, restarted with
 * other credentials).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { basicAuthorization } from '../../src/mesos/client/index.js';
import { startMesosSim } from '../../src/mesos/sim/index.js';
import { runCli } from '../helpers/cli-process.js';
import { BIN, api, eventually, putAndRunToEnd, sleep, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

interface RunJson {
  id: string;
  status: string;
  agent: string | null;
}

const PRINCIPAL = 'moroccron';
const SECRET = 'correct-horse-battery';
const dir = tempDir();
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  dir.remove();
});

function secretFile(name: string, content: string): string {
  const path = join(dir.path, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

async function startSimProcess(args: string[]): Promise<{ url: string; output: () => string }> {
  const child = spawn(process.execPath, [BIN, 'mesos-sim', '--port', '0', '--agents', '2', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  cleanups.push(async () => void child.kill('SIGTERM'));
  const url = await eventually(async () => /mesos-sim master on (http:\/\/\S+)/.exec(out)?.[1], 15_000, `mesos-sim to start: ${out}`);
  return { url, output: () => out };
}

async function serveMesos(name: string, master: string, secretPath: string): Promise<ServerProcess> {
  const data = join(dir.path, name);
  mkdirSync(data, { recursive: true });
  const server = await startServerProcess(data, ['--backend', 'mesos', '--mesos-master', master, '--mesos-principal', PRINCIPAL, '--mesos-secret-file', secretPath]);
  cleanups.push(() => server.stop());
  return server;
}

const subscribe = (principal?: string) => JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'raw', ...(principal ? { principal } : {}) } } });

async function postScheduler(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; challenge: string | null }> {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/v1/scheduler`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body, signal: controller.signal });
  // A 200 is a stream that stays open: the status is all that is needed.
  const text = response.status === 200 ? '' : await response.text();
  controller.abort();
  return { status: response.status, body: text, challenge: response.headers.get('www-authenticate') };
}

test('the sim requires credentials: raw calls get 401 without them and 400 for a principal mismatch; serve with the right ones runs a job and reads its logs', async () => {
  const sim = await startSimProcess(['--principal', PRINCIPAL, '--secret-file', secretFile('sim-secret', `${SECRET}\n`), '--authenticate', 'frameworks,readonly']);
  assert.match(sim.output(), /requiring the credentials of principal 'moroccron', read-only endpoints too/);

  const anonymous = await postScheduler(sim.url, subscribe());
  assert.deepEqual([anonymous.status, anonymous.challenge], [401, 'Basic realm="mesos-master-scheduler"']);
  const credentials = { Authorization: basicAuthorization({ principal: PRINCIPAL, secret: SECRET }) };
  const mismatch = await postScheduler(sim.url, subscribe('someone-else'), credentials);
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.body, "Failed to validate scheduler::Call: Authenticated principal 'moroccron' does not match principal 'someone-else' set in `FrameworkInfo`");

  // The file's trailing newline is not part of the secret.
  const server = await serveMesos('right', sim.url, secretFile('right-secret', `${SECRET}\n`));
  const run = await putAndRunToEnd<RunJson>(server.url, { name: 'hello', command: 'echo hello from an authenticated framework', resources: { cpus: 0.1, mem: 32 } });
  assert.equal(run.status, 'succeeded', JSON.stringify(run));
  assert.ok(run.agent);
  const logs = await api<{ data: string }>(`${server.url}/api/v1/runs/${run.id}/logs`);
  assert.equal(logs.status, 200);
  assert.equal(logs.body.data, 'hello from an authenticated framework\n', "read from the agent's /files with the credentials");

  const state = await fetch(`${sim.url}/master/state`, { headers: credentials });
  const frameworks = ((await state.json()) as { frameworks: { principal?: string; active: boolean }[] }).frameworks;
  assert.deepEqual(frameworks.map((f) => [f.principal, f.active]), [['moroccron', true]], 'FrameworkInfo.principal is set');
  assert.doesNotMatch(sim.output(), /401 for GET/, 'the scheduler sent its credentials on every read of /master/state and /files');
  assert.ok(!server.output().includes(SECRET), 'the secret is not in the server output');
});

test('a wrong secret: one clear error naming the principal and the master, nothing launched, the secret never printed; fixed on the master, it subscribes by itself', async () => {
  const simLog: string[] = [];
  const sim = await startMesosSim({ agents: 1, allocationIntervalMs: 100, credentials: [{ principal: PRINCIPAL, secret: SECRET }], logger: (line) => simLog.push(line) });
  cleanups.push(() => sim.close());
  const wrong = 'not-the-secret-at-all';
  const server = await serveMesos('wrong', sim.url, secretFile('wrong-secret', wrong));
  assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'waits', command: 'echo finally', resources: { cpus: 0.1, mem: 32 } })).status, 201);
  const pending = await api<RunJson>(`${server.url}/api/v1/jobs/waits/run`, 'POST');
  assert.equal(pending.status, 201);

  const since = Date.now();
  await eventually(async () => (/401 Unauthorized/.test(server.output()) ? true : undefined), 10_000, 'the 401 error');
  await sleep(5000);
  const refusals = simLog.filter((l) => l.startsWith('401 for POST /api/v1/scheduler')).length;
  const seconds = (Date.now() - since) / 1000;
  assert.ok(refusals >= 3, `it keeps trying: ${refusals} attempts in ${seconds} s`);
  assert.ok(refusals <= 10 * seconds, `it backs off: ${refusals} attempts in ${seconds} s`);

  const errorLines = server
    .output()
    .split('\n')
    .filter((l) => l.includes('401 Unauthorized'));
  assert.equal(errorLines.length, 1, `one error line while it lasts (a minute):\n${errorLines.join('\n')}`);
  const line = JSON.parse(errorLines[0]!) as { level: number; msg: string };
  assert.equal(line.level, 50, 'logged as an error');
  assert.ok(line.msg.includes(`principal '${PRINCIPAL}'`) && line.msg.includes(sim.url), line.msg);
  const output = server.output();
  assert.ok(!output.includes(wrong), 'the secret is not printed');
  assert.ok(!output.includes(Buffer.from(`${PRINCIPAL}:${wrong}`).toString('base64')), 'nor its Authorization header');

  assert.equal(server.child.exitCode, null, 'still running');
  assert.equal((await api(`${server.url}/healthz`)).status, 200);
  assert.deepEqual((sim.state() as { frameworks: unknown[] }).frameworks, [], 'not subscribed');
  const waiting = (await api<RunJson>(`${server.url}/api/v1/runs/${pending.body.id}`)).body;
  assert.equal(waiting.agent, null, `nothing launched: ${JSON.stringify(waiting)}`);
  assert.ok(!simLog.some((l) => l.startsWith('ACCEPT')), 'no ACCEPT reached the master');

  // The operator fixes the master's credentials file and restarts it.
  await sim.restartMaster({ credentials: [{ principal: PRINCIPAL, secret: wrong }] });
  const done = await eventually(
    async () => {
      const run = (await api<RunJson>(`${server.url}/api/v1/runs/${pending.body.id}`)).body;
      return run.status === 'succeeded' ? run : undefined;
    },
    30_000,
    'the waiting run to succeed once the master accepts the credentials',
  );
  assert.ok(done.agent);
});

test('serve: --mesos-principal and --mesos-secret-file come together, with a readable, non-empty secret; mesos-sim likewise', async () => {
  const base = ['serve', '--port', '0', '--data-dir', join(dir.path, 'never'), '--backend', 'mesos', '--mesos-master', 'http://127.0.0.1:1'];
  const cases: [string[], RegExp][] = [
    [[...base, '--mesos-principal', PRINCIPAL], /--mesos-principal needs --mesos-secret-file/],
    [[...base, '--mesos-secret-file', secretFile('lonely', SECRET)], /--mesos-secret-file needs --mesos-principal/],
    [[...base, '--mesos-principal', PRINCIPAL, '--mesos-secret-file', join(dir.path, 'missing')], /--mesos-secret-file .*missing: cannot read it \(ENOENT\)/],
    [[...base, '--mesos-principal', PRINCIPAL, '--mesos-secret-file', dir.path], /--mesos-secret-file .*: cannot read it \(EISDIR\)/],
    [[...base, '--mesos-principal', PRINCIPAL, '--mesos-secret-file', secretFile('empty', '\n')], /--mesos-secret-file .*empty is empty/],
    [[...base, '--mesos-principal', PRINCIPAL, '--mesos-secret-file', secretFile('colon', 'a:b\n')], /--mesos-secret-file .*: the secret contains ':'/],
    [[...base, '--mesos-principal', 'a:b', '--mesos-secret-file', secretFile('ok', SECRET)], /--mesos-principal: the principal contains ':'/],
    [['serve', '--port', '0', '--data-dir', join(dir.path, 'never'), '--mesos-principal', PRINCIPAL, '--mesos-secret-file', secretFile('ok2', SECRET)], /apply to --backend mesos only/],
    [['mesos-sim', '--port', '0', '--principal', PRINCIPAL], /--principal needs --secret-file/],
    [['mesos-sim', '--port', '0', '--secret-file', secretFile('ok3', SECRET)], /--secret-file needs --principal/],
    [['mesos-sim', '--port', '0', '--principal', PRINCIPAL, '--secret-file', secretFile('ok4', SECRET), '--authenticate', 'readonly'], /--authenticate must be frameworks or frameworks,readonly/],
    [['mesos-sim', '--port', '0', '--authenticate', 'frameworks'], /--authenticate needs --principal/],
  ];
  for (const [args, expected] of cases) {
    const result = await runCli(args, { killAfterMs: 10_000 });
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}${result.stdout}`);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, expected);
    assert.ok(!result.stderr.includes(SECRET), 'the secret is never printed');
  }
});
