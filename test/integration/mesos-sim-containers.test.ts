/**
 * Mesos sim: a task's ContainerInfo checked as the master checks it (common/validation.cpp
 * validateContainerInfo): DOCKER and MESOS containers launch and show in /master/state; a
 * malformed one is TASK_ERROR with the master's message; a missing required field is a 400.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import type { Offer } from '../../src/mesos/types.js';
import { SimScheduler, commandTask, frameworkInfo } from '../helpers/mesos-sim-client.js';

let sim: MesosSim;
let client: SimScheduler;
before(async () => {
  sim = await startMesosSim({ agents: 1, cpus: 2, mem: 2048, heartbeatIntervalSeconds: 5, allocationIntervalMs: 50 });
  client = await SimScheduler.subscribe(sim.url, frameworkInfo({ capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }] }));
});
after(async () => {
  await client.call('TEARDOWN');
  await sim.close();
});

const volumes = [
  { container_path: '/data', host_path: '/tmp', mode: 'RO' },
  { container_path: '/out', host_path: '/tmp', mode: 'RW' },
];
const DOCKER = {
  type: 'DOCKER',
  docker: { image: 'alpine:3.20', network: 'BRIDGE', force_pull_image: true, parameters: [{ key: 'memory-swap', value: '512m' }] },
  volumes,
};
const MESOS = { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: 'alpine:3.20' }, cached: false } }, volumes, network_infos: [{ name: 'mesos-bridge' }] };

async function stateTask(id: string): Promise<Record<string, unknown> | undefined> {
  const state = (await (await fetch(`${sim.url}/master/state`)).json()) as { frameworks: { tasks: Record<string, unknown>[]; completed_tasks: Record<string, unknown>[] }[] };
  return state.frameworks.flatMap((f) => [...f.tasks, ...f.completed_tasks]).find((t) => t.id === id);
}

async function launchOne(task: (offer: Offer) => unknown): Promise<number> {
  const [offer] = await client.offers();
  return (await client.launch(offer!, [task(offer!)], { refuse_seconds: 0 })).status;
}

test('a DOCKER and a MESOS container task run, and /master/state shows each container as sent', async () => {
  assert.equal(await launchOne((offer) => commandTask('docker-task', offer, 'true', { container: DOCKER })), 202);
  await client.expectStates('docker-task', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  assert.deepEqual((await stateTask('docker-task'))?.container, DOCKER);
  assert.equal(await launchOne((offer) => commandTask('mesos-task', offer, 'true', { container: MESOS })), 202);
  await client.expectStates('mesos-task', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  assert.deepEqual((await stateTask('mesos-task'))?.container, MESOS);
});

const malformed: [string, Record<string, unknown>, string][] = [
  ['no-docker-info', { type: 'DOCKER', volumes }, "DockerInfo 'docker' is not set for DOCKER typed ContainerInfo"],
  ['name-parameter', { type: 'DOCKER', docker: { image: 'a', parameters: [{ key: 'name', value: 'mine' }] } }, "Parameter in DockerInfo must not be 'name'"],
  ['volume-no-source', { ...MESOS, volumes: [{ container_path: '/data', mode: 'RW' }] }, "Invalid volume: Only one of them should be set: 'host_path', 'image' and 'source'"],
  [
    'volume-two-sources',
    { ...MESOS, volumes: [{ container_path: '/data', mode: 'RW', host_path: '/tmp', image: { type: 'DOCKER', docker: { name: 'b' } } }] },
    "Invalid volume: Only one of them should be set: 'host_path', 'image' and 'source'",
  ],
  ['volume-bad-source', { ...MESOS, volumes: [{ container_path: '/d', mode: 'RW', source: { type: 'SANDBOX_PATH' } }] }, "Invalid volume: 'source.sandbox_path' is not set for SANDBOX_PATH volume"],
];

for (const [id, container, message] of malformed) {
  test(`a malformed container (${id}) is TASK_ERROR "${message}"`, async () => {
    assert.equal(await launchOne((offer) => commandTask(id, offer, 'true', { container })), 202);
    const status = await client.update(id, 'TASK_ERROR');
    assert.deepEqual([status.message, status.reason, status.source], [`Task's \`ContainerInfo\` is invalid: ${message}`, 'REASON_TASK_INVALID', 'SOURCE_MASTER']);
  });
}

test('a container missing a field the proto requires is refused at parsing with a 400, as stout does', async () => {
  const [offer] = await client.offers();
  const cases: [unknown, string][] = [
    [{ ...MESOS, volumes: [{ container_path: '/data', host_path: '/tmp' }] }, 'container.volumes[0].mode'],
    [{ type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: {} } } }, 'container.mesos.image.docker.name'],
    [{ type: 'DOCKER', docker: { network: 'HOST' } }, 'container.docker.image'],
    [{ mesos: {} }, 'container.type'],
  ];
  for (const [container, field] of cases) {
    const answer = await client.launch(offer!, [commandTask('never', offer!, 'true', { container })]);
    assert.equal(answer.status, 400);
    assert.match(answer.body, new RegExp(`Missing required fields: accept\\.operations\\[0\\]\\.launch\\.task_infos\\[0\\]\\.${field.replace(/[.[\]]/g, '\\$&')}`));
  }
  await client.call('DECLINE', { decline: { offer_ids: [offer!.id], filters: { refuse_seconds: 0 } } });
});
