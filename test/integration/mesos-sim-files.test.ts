/** Mesos sim: agent /files/read and /files/browse over real sandboxes (API-FACTS §10). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import type { Offer } from '../../src/mesos/types.js';
import { SimScheduler, commandTask } from '../helpers/mesos-sim-client.js';

let sim: MesosSim;
let client: SimScheduler;
let agentUrl: string;
let base: string;
before(async () => {
  sim = await startMesosSim({ agents: 1, heartbeatIntervalSeconds: 5, allocationIntervalMs: 50 });
  client = await SimScheduler.subscribe(sim.url);
  const [offer] = (await client.offers()) as [Offer];
  agentUrl = `http://${offer.url!.address.ip}:${offer.url!.address.port}`;
  const task = commandTask('logger', offer, '', {
    command: { shell: true, value: 'printf "hello-from-mesos\\n"; echo "$GREETING" >&2', environment: { variables: [{ name: 'GREETING', value: 'to-stderr' }] } },
  });
  await client.launch(offer, [task]);
  await client.expectStates('logger', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  base = `/frameworks/${client.frameworkId}/executors/logger/runs/latest`;
});
after(async () => {
  client.close();
  await sim.close();
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
  assert.deepEqual(JSON.parse((await read(`path=${base.slice(1)}/stderr&offset=0`)).body), { data: 'to-stderr\n', offset: 0 });
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
