/**
 * A job's `user` on Mesos: the task's CommandInfo.user, which the agent runs it as (here
 * `moroccron mesos-sim --switch-user`, as root, like agents with --switch_user). moroccron
 * does not check it; an agent without the user drops the task, and the run fails saying so.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, api, eventually, putAndRunToEnd, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

interface RunJson {
  id: string;
  status: string;
  exitCode: number | null;
  reason: string | null;
}

const dir = tempDir();
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
  dir.remove();
});

const nobodyUid = spawnSync('getent', ['passwd', 'nobody'], { encoding: 'utf8' }).stdout.split(':')[2];

async function startSim(): Promise<{ url: string; output: () => string }> {
  const child = spawn(process.execPath, [BIN, 'mesos-sim', '--port', '0', '--agents', '1', '--switch-user'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanups.push(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  const url = await eventually(async () => /mesos-sim master on (http:\/\/\S+)/.exec(out)?.[1], 15_000, 'mesos-sim to start');
  return { url, output: () => out };
}

async function stdout(url: string, runId: string): Promise<string> {
  const r = await api<{ data: string }>(`${url}/api/v1/runs/${runId}/logs?stream=stdout`);
  assert.equal(r.status, 200);
  return r.body.data;
}

describe('user on the Mesos backend', () => {
  let server: ServerProcess;
  before(async () => {
    const sim = await startSim();
    // --mesos-user is left at the current user: root here.
    server = await startServerProcess(join(dir.path, 'data'), ['--backend', 'mesos', '--mesos-master', sim.url]);
    cleanups.push(() => server.stop());
  });

  test('the task runs as the job\'s user; a job without one as the framework\'s (--mesos-user)', async () => {
    const nobody = await putAndRunToEnd<RunJson>(server.url, { resources: { cpus: 0.1, mem: 16 }, name: 'as-nobody', user: 'nobody', command: 'id -u' });
    assert.equal(nobody.status, 'succeeded', JSON.stringify(nobody));
    assert.equal(await stdout(server.url, nobody.id), `${nobodyUid}\n`);
    const plain = await putAndRunToEnd<RunJson>(server.url, { resources: { cpus: 0.1, mem: 16 }, name: 'as-framework-user', command: 'id -u' });
    assert.equal(await stdout(server.url, plain.id), '0\n');
  });

  test('a user the agent lacks is accepted here; the agent drops the task and the run fails with its reason', async () => {
    const run = await putAndRunToEnd<RunJson>(server.url, { resources: { cpus: 0.1, mem: 16 }, name: 'ghostly', user: 'no-such-user-here', command: 'true' });
    assert.equal(run.status, 'failed', JSON.stringify(run));
    assert.equal(run.exitCode, null);
    assert.match(run.reason ?? '', /^launch failed: TASK_DROPPED: Failed to create executor directory '.*': Failed to chown directory to 'no-such-user-here': No such user 'no-such-user-here'$/);
  });
});
