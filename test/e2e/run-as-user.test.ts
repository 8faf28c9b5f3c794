/**
 * Local jobs run as a configured OS user when the server is root (as it is here): the job's
 * `user`, else `--run-as`. Only the command changes user: the run dir (pid, exit, logs) stays
 * the server's, out of the job's reach, and a restart re-attaches such a run like any other.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli-process.js';
import { api, eventually, putAndRunToEnd, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

interface RunJson {
  id: string;
  status: string;
  exitCode: number | null;
  reason: string | null;
}

interface ErrorJson {
  error: { code: string; details?: { field: string; message: string }[] };
}

/** nobody's uid, gid and home, as this host has them. */
function nobody(): { uid: string; gid: string; home: string } {
  const [, , uid, gid, , home] = spawnSync('getent', ['passwd', 'nobody'], { encoding: 'utf8' }).stdout.trim().split(':');
  return { uid: uid!, gid: gid!, home: home! };
}

const dir = tempDir();
// Open above the data dir, as /var/lib is: only moroccron's own modes keep jobs out of it.
chmodSync(dir.path, 0o755);
const servers: ServerProcess[] = [];
after(async () => {
  for (const s of servers) if (s.child.exitCode === null) await s.stop();
  dir.remove();
});

async function start(name: string, args: string[] = []): Promise<{ url: string; data: string; server: ServerProcess }> {
  const data = join(dir.path, name);
  mkdirSync(data, { mode: 0o755 });
  chmodSync(data, 0o755);
  const server = await startServerProcess(data, args);
  servers.push(server);
  return { url: server.url, data, server };
}

function finished(url: string, runId: string, timeoutMs = 15_000): Promise<RunJson> {
  return eventually(
    async () => {
      const run = (await api<RunJson>(`${url}/api/v1/runs/${runId}`)).body;
      return ['succeeded', 'failed', 'killed', 'lost'].includes(run.status) ? run : undefined;
    },
    timeoutMs,
    `run ${runId} to end`,
  );
}

async function log(url: string, runId: string, stream: 'stdout' | 'stderr' = 'stdout'): Promise<string> {
  const r = await fetch(`${url}/api/v1/runs/${runId}/logs?stream=${stream}&format=text`);
  assert.equal(r.status, 200);
  return r.text();
}

describe('a job with user: nobody', () => {
  let url = '';
  let data = '';
  let output = '';
  before(async () => {
    const started = await start('by-job');
    url = started.url;
    data = started.data;
    output = started.server.output();
  });

  test("runs as nobody: its uid, its groups only (no group 0), its HOME, USER and LOGNAME, in its own working dir", async () => {
    // A CDPATH in the job's env (naming a dir that has a `work` of its own) must not move it out of its working dir.
    mkdirSync(join(dir.path, 'work'), { recursive: true });
    const run = await putAndRunToEnd<RunJson>(url, { name: 'who', user: 'nobody', env: { CDPATH: dir.path }, command: 'id -u; id -G; echo "$HOME $USER $LOGNAME"; pwd' });
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    const [uid, groups, env, cwd] = (await log(url, run.id)).trim().split('\n');
    const expected = nobody();
    assert.equal(uid, expected.uid);
    assert.ok(groups!.split(' ').includes(expected.gid), groups);
    assert.ok(!groups!.split(' ').includes('0'), `group 0 among ${groups}`);
    assert.equal(env, `${expected.home} nobody nobody`);
    assert.equal(cwd, join(data, 'runs', run.id, 'work'));
  });

  test('a job without user runs as root, and the server said so once at start', async () => {
    const run = await putAndRunToEnd<RunJson>(url, { name: 'root-by-default', command: 'id -u' });
    assert.equal((await log(url, run.id)).trim(), '0');
    assert.equal(output.split('jobs that name no user').length - 1, 1, output);
  });

  test('it cannot forge its pid or exit file, signal the wrapper, or read its own or other run dirs', async () => {
    const other = await putAndRunToEnd<RunJson>(url, { name: 'neighbour', command: 'echo secret-of-the-neighbour' });
    const command = [
      'echo 0 > ../exit && echo forged exit',
      'echo "1 1" > ../pid && echo forged pid',
      'mv ../exit ../exit.old && echo moved exit',
      'cat ../stdout && echo read own log',
      `cat ${join(data, 'runs', other.id, 'stdout')} && echo read other log`,
      `ls ${join(data, 'runs')} && echo listed runs`,
      'kill -TERM $PPID && echo signalled wrapper',
      'echo done',
      'exit 3',
    ].join('; ');
    const run = await putAndRunToEnd<RunJson>(url, { name: 'forger', user: 'nobody', command });
    assert.equal(run.status, 'failed');
    assert.equal(run.exitCode, 3, JSON.stringify(run));
    const stdout = await log(url, run.id);
    assert.equal(stdout.trim(), 'done', `the job got through: ${stdout}`);
    assert.match(await log(url, run.id, 'stderr'), /Permission denied/);
    assert.equal(readFileSync(join(data, 'runs', run.id, 'exit'), 'utf8'), '3\n');
    assert.match(readFileSync(join(data, 'runs', run.id, 'pid'), 'utf8'), /^\d+ \d+\n$/);
  });

  test("the job's environment reaches the job only, never the root processes that start it (the wrapper, setpriv)", async () => {
    // LD_DEBUG makes the loader name each program it starts with it: were the job's LD_PRELOAD
    // given to root's processes, they would load it as root.
    const env = { LD_DEBUG: 'libs', QUOTED: "it's \"$HOME\" `x`\nand a second line" };
    const run = await putAndRunToEnd<RunJson>(url, { name: 'loader', user: 'nobody', env, command: 'id -u; printf "%s" "$QUOTED"' });
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(await log(url, run.id), `${nobody().uid}\n${env.QUOTED}`);
    // The loader names each program as it was called (argv[0]): setpriv only ever runs as root.
    const started = [...(await log(url, run.id, 'stderr')).matchAll(/initialize program: (\S+)/g)].map((m) => m[1]!.split('/').pop());
    assert.ok(started.includes('id'), started.join(' '));
    assert.ok(!started.includes('setpriv'), `setpriv, root, ran with the job's environment: ${started.join(' ')}`);
  });

  test('a user this host does not have is a 400 naming user', async () => {
    const r = await api<ErrorJson>(`${url}/api/v1/jobs`, 'POST', { name: 'ghostly', user: 'no-such-user-here', command: 'true' });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.error.details?.map((d) => d.field), ['user']);
    assert.match(r.body.error.details![0]!.message, /no user "no-such-user-here" on this host/);
    const bad = await api<ErrorJson>(`${url}/api/v1/jobs`, 'POST', { name: 'ghostly', user: '0', command: 'true' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error.details?.map((d) => d.field), ['user']);
  });
});

describe('--run-as nobody', () => {
  test('jobs without user run as nobody, a job may still name root, and nothing warns of root', async () => {
    // Logs not capped: the job writes to them directly, not through the copiers.
    const { url, server } = await start('run-as', ['--run-as', 'nobody', '--max-log-size', '0']);
    const plain = await putAndRunToEnd<RunJson>(url, { name: 'plain', command: 'id -u' });
    assert.equal((await log(url, plain.id)).trim(), nobody().uid);
    const root = await putAndRunToEnd<RunJson>(url, { name: 'as-root', user: 'root', command: 'id -u' });
    assert.equal((await log(url, root.id)).trim(), '0');
    assert.doesNotMatch(server.output(), /jobs that name no user/);
  });

  test('a user that does not exist, or --run-as on the Mesos backend, is a one-line error at start', async () => {
    const data = join(dir.path, 'refused');
    const unknown = await runCli(['serve', '--port', '0', '--data-dir', data, '--run-as', 'no-such-user-here']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, 'moroccron: --run-as no-such-user-here: there is no user "no-such-user-here" on this host\n');
    const mesos = await runCli(['serve', '--port', '0', '--data-dir', data, '--backend', 'mesos', '--mesos-master', 'http://127.0.0.1:1', '--run-as', 'nobody']);
    assert.equal(mesos.code, 2);
    assert.match(mesos.stderr, /^moroccron: --run-as is for the local backend/);
  });
});

describe('a restart', () => {
  test('re-attaches a run that runs as nobody, and records its end once', async () => {
    let { url, data, server } = await start('restart');
    const put = await api(`${url}/api/v1/jobs`, 'POST', { name: 'slow', user: 'nobody', command: 'sleep 3; id -u' });
    assert.equal(put.status, 201);
    const run = (await api<RunJson>(`${url}/api/v1/jobs/slow/run`, 'POST')).body;
    await eventually(async () => ((await api<RunJson>(`${url}/api/v1/runs/${run.id}`)).body.status === 'running' ? true : undefined), 5000, 'the run to start');
    await server.kill();
    server = await startServerProcess(data);
    servers.push(server);
    url = server.url;
    const ended = await finished(url, run.id);
    assert.equal(ended.status, 'succeeded', JSON.stringify(ended));
    assert.equal((await log(url, run.id)).trim(), nobody().uid);
    const runs = (await api<{ runs: RunJson[] }>(`${url}/api/v1/jobs/slow/runs`)).body.runs;
    assert.deepEqual(runs.map((r) => r.id), [run.id]);
  });
});
