/**
 * Mesos sim with `switchUser` (an agent's --switch_user), run as root here: a task runs as
 * its CommandInfo.user, else its framework's user, in a sandbox that user owns; a user the
 * agent lacks drops the task as Mesos 1.12 does (docs/mesos.md#task-user). Without
 * `switchUser`, the default, tasks run as the sim's own user whoever they name.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import type { Offer } from '../../src/mesos/types.js';
import { SimScheduler, agentUrlOf, commandTask, frameworkInfo, readSandboxFile } from '../helpers/mesos-sim-client.js';

const [, , uid, gid] = spawnSync('getent', ['passwd', 'nobody'], { encoding: 'utf8' }).stdout.split(':').map((f) => f.trim());
const NOBODY = { uid: Number(uid), gid: Number(gid) };

const workDir = mkdtempSync(join(tmpdir(), 'mesos-sim-users-'));
const sims: MesosSim[] = [];
const clients: SimScheduler[] = [];
after(async () => {
  for (const c of clients) c.close();
  for (const s of sims) await s.close();
  rmSync(workDir, { recursive: true, force: true });
});

async function subscribe(switchUser: boolean, info = frameworkInfo()): Promise<{ client: SimScheduler; offer: Offer }> {
  const sim = await startMesosSim({ agents: 1, heartbeatIntervalSeconds: 5, allocationIntervalMs: 50, workDir: join(workDir, String(sims.length)), switchUser });
  sims.push(sim);
  const client = await SimScheduler.subscribe(sim.url, info);
  clients.push(client);
  const [offer] = await client.offers();
  return { client, offer: offer! };
}

const sandboxOf = (client: SimScheduler, offer: Offer, taskId: string, containerId: string): string =>
  join(workDir, String(sims.length - 1), 'slaves', offer.agent_id.value, 'frameworks', client.frameworkId, 'executors', taskId, 'runs', containerId);

const containerOf = (status: unknown): string => (status as { container_status: { container_id: { value: string } } }).container_status.container_id.value;

test('a task runs as its CommandInfo.user, else as the framework user, in a sandbox (0750) that user owns', async () => {
  const { client, offer } = await subscribe(true, frameworkInfo({ user: 'root' }));
  await client.launch(offer, [
    commandTask('as-nobody', offer, 'id -u; id -g; touch mine', { command: { shell: true, value: 'id -u; id -g; touch mine', user: 'nobody' } }),
    commandTask('as-framework-user', offer, 'id -u'),
  ]);
  const [starting] = await client.expectStates('as-nobody', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  await client.expectStates('as-framework-user', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  const base = (taskId: string) => `/frameworks/${client.frameworkId}/executors/${taskId}/runs/latest`;
  assert.equal(await readSandboxFile(agentUrlOf(offer), `${base('as-nobody')}/stdout`), `${NOBODY.uid}\n${NOBODY.gid}\n`);
  assert.equal(await readSandboxFile(agentUrlOf(offer), `${base('as-framework-user')}/stdout`), '0\n');
  const sandbox = sandboxOf(client, offer, 'as-nobody', containerOf(starting));
  for (const path of [sandbox, join(sandbox, 'stdout'), join(sandbox, 'mine')]) assert.equal(statSync(path).uid, NOBODY.uid, path);
  assert.equal(statSync(sandbox).mode & 0o777, 0o750);
});

test('a user the agent lacks: TASK_DROPPED from the agent naming it (TASK_LOST without PARTITION_AWARE), and no sandbox', async () => {
  const { client, offer } = await subscribe(true, frameworkInfo({ user: 'no-such-user-here' }));
  await client.launch(offer, [commandTask('ghostly', offer, 'true')]);
  const [dropped] = await client.expectStates('ghostly', ['TASK_DROPPED']);
  assert.equal(dropped!.source, 'SOURCE_AGENT');
  assert.equal(dropped!.reason, 'REASON_EXECUTOR_TERMINATED');
  const match = /^Failed to create executor directory '(.+)': Failed to chown directory to 'no-such-user-here': No such user 'no-such-user-here'$/.exec(dropped!.message ?? '');
  assert.ok(match, dropped!.message);
  assert.equal(existsSync(match[1]!), false);

  const legacy = await subscribe(true, frameworkInfo({ user: 'root', capabilities: [{ type: 'MULTI_ROLE' }] }));
  await legacy.client.launch(legacy.offer, [commandTask('ghostly', legacy.offer, 'true', { command: { shell: true, value: 'true', user: 'no-such-user-here' } })]);
  const [lost] = await legacy.client.expectStates('ghostly', ['TASK_LOST']);
  assert.match(lost!.message ?? '', /No such user 'no-such-user-here'/);
});

test('without switchUser, tasks run as the sim itself, whatever user they name', async () => {
  const { client, offer } = await subscribe(false, frameworkInfo({ user: 'no-such-user-here' }));
  await client.launch(offer, [commandTask('anyone', offer, 'id -u')]);
  await client.expectStates('anyone', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  assert.equal(await readSandboxFile(agentUrlOf(offer), `/frameworks/${client.frameworkId}/executors/anyone/runs/latest/stdout`), `${process.getuid!()}\n`);
});
