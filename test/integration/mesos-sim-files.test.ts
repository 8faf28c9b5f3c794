/** Mesos sim: agent /files/read and /files/browse over real sandboxes (docs/mesos.md#sandbox-logs). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import type { Offer } from '../../src/mesos/types.js';
import { SimScheduler, commandTask } from '../helpers/mesos-sim-client.js';

let sim: MesosSim;
let client: SimScheduler;
let agentUrl: string;
let base: string;
/** The sandbox's real directory under the agent's work dir. */
let realRun: string;
let containerId: string;
const workDir = mkdtempSync(join(tmpdir(), 'mesos-sim-files-'));
before(async () => {
  sim = await startMesosSim({ agents: 1, heartbeatIntervalSeconds: 5, allocationIntervalMs: 50, workDir });
  client = await SimScheduler.subscribe(sim.url);
  const [offer] = (await client.offers()) as [Offer];
  agentUrl = `http://${offer.url!.address.ip}:${offer.url!.address.port}`;
  const task = commandTask('logger', offer, '', {
    command: { shell: true, value: 'printf "hello-from-mesos\\n"; echo "$GREETING" >&2', environment: { variables: [{ name: 'GREETING', value: 'to-stderr' }] } },
  });
  await client.launch(offer, [task]);
  const [starting] = await client.expectStates('logger', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  base = `/frameworks/${client.frameworkId}/executors/logger/runs/latest`;
  containerId = (starting as { container_status?: { container_id: { value: string } } }).container_status!.container_id.value;
  realRun = join(workDir, 'slaves', offer.agent_id.value, `frameworks/${client.frameworkId}/executors/logger/runs`, containerId);
});
after(async () => {
  client.close();
  await sim.close();
  rmSync(workDir, { recursive: true, force: true });
});

const read = async (query: string): Promise<{ status: number; body: string }> => {
  const res = await fetch(`${agentUrl}/files/read?${query}`);
  return { status: res.status, body: await res.text() };
};

test('size probe: offset omitted or -1 returns the size and no data', async () => {
  for (const q of [`path=${base}/stdout`, `path=${base}/stdout&offset=-1`]) {
    assert.deepEqual(await read(q), { status: 200, body: '{"data":"","offset":17}' });
  }
});

test('reads echo the offset, honour length, and return nothing past EOF', async () => {
  assert.deepEqual(await read(`path=${base}/stdout&offset=0`), { status: 200, body: '{"data":"hello-from-mesos\\n","offset":0}' });
  assert.deepEqual(JSON.parse((await read(`path=${base}/stdout&offset=6&length=4`)).body), { data: 'from', offset: 6 });
  assert.deepEqual(JSON.parse((await read(`path=${base}/stdout&offset=6&length=-1`)).body), { data: 'from-mesos\n', offset: 6 });
  assert.deepEqual(JSON.parse((await read(`path=${base}/stdout&offset=99`)).body), { data: '', offset: 99 });
  assert.match(JSON.parse((await read(`path=${base}/stderr&offset=0`)).body).data, /\nto-stderr\n/);
});

test('errors: bad numbers and directories 400, unknown paths 404, missing path 400', async () => {
  assert.equal((await read(`path=${base}/stdout&offset=abc`)).status, 400);
  assert.equal((await read(`path=${base}/stdout&offset=-2`)).status, 400);
  assert.equal((await read(`path=${base}/stdout&offset=0&length=x`)).status, 400);
  assert.deepEqual(await read(`path=${base}&offset=0`), { status: 400, body: 'Cannot read a directory.\n' });
  assert.equal((await read(`path=/frameworks/nope/executors/x/runs/latest/stdout&offset=0`)).status, 404);
  assert.equal((await read(`path=/etc/passwd&offset=0`)).status, 404);
  assert.equal((await read('offset=0')).status, 400);
});

test('paths are absolute (no leading slash: 404); only runs/latest and real run directories are attached', async () => {
  assert.equal((await read(`path=${base.slice(1)}/stdout&offset=0`)).status, 404);
  assert.equal((await read(`path=${base.slice(1)}/stdout`)).status, 404);
  const runs = base.replace(/\/latest$/, '');
  assert.equal((await fetch(`${agentUrl}/files/browse?path=${runs}`)).status, 404);
  assert.equal((await fetch(`${agentUrl}/files/browse?path=${runs.slice(1)}`)).status, 404);
  assert.equal((await fetch(`${agentUrl}/files/browse?path=${base.slice(1)}`)).status, 404);
  assert.equal((await fetch(`${agentUrl}/files/browse?path=${base}/../..`)).status, 404);
  assert.equal((await fetch(`${agentUrl}/files/browse?path=${base}/`)).status, 200);
  // The real run directory is attached too, but the virtual path names only the latest run.
  assert.equal((await read(`path=${realRun}/stdout&offset=0`)).status, 200);
  assert.equal((await read(`path=${join(realRun, '..', 'latest')}/stdout&offset=0`)).status, 200);
  assert.equal((await read(`path=${join(realRun, '..')}&offset=0`)).status, 404);
  assert.equal((await read(`path=${runs}/${containerId}/stdout&offset=0`)).status, 404);
});

test('browse lists the sandbox sorted by path with ls-style modes; /state names the executor', async () => {
  const res = await fetch(`${agentUrl}/files/browse?path=${base}`);
  const entries = (await res.json()) as { path: string; size: number; mode: string }[];
  assert.deepEqual(entries.map((e) => e.path), [`${base}/stderr`, `${base}/stdout`]);
  assert.equal(entries[1]!.size, 17);
  assert.match(entries[1]!.mode, /^-[rwx-]{9}$/);
  assert.equal((await fetch(`${agentUrl}/files/browse`)).status, 400);
  const state = (await (await fetch(`${agentUrl}/state`)).json()) as { id: string };
  assert.match(state.id, /-S0$/);
});
