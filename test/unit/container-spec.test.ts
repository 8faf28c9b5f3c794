/** A job's `container`: what the spec accepts or refuses by field, and the Mesos ContainerInfo each type becomes. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { launchRequestOf } from '../../src/backends/mesos/task-info.js';
import { validateJobSpec } from '../../src/core/job-spec.js';
import { run, spec } from '../helpers/store-fixtures.js';

const withContainer = (container: Record<string, unknown>) => validateJobSpec({ name: 'x', command: 'true', container });

function refusedAt(container: Record<string, unknown>, field: string, message: RegExp): void {
  const result = withContainer(container);
  if (result.ok) assert.fail(`expected a refusal of ${JSON.stringify(container)}`);
  const hit = result.errors.find((e) => e.field === field);
  assert.ok(hit, `expected an error on ${field}, got ${JSON.stringify(result.errors)}`);
  assert.match(hit.message, message);
}

describe('the container spec', () => {
  test('defaults: the Mesos containerizer, host network, no volumes, a volume read-write', () => {
    const result = withContainer({ image: 'alpine:3.20', volumes: [{ containerPath: '/data', hostPath: '/srv/data' }] });
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.value.container, {
      type: 'mesos',
      image: 'alpine:3.20',
      forcePull: false,
      network: 'host',
      volumes: [{ containerPath: '/data', hostPath: '/srv/data', mode: 'RW' }],
    });
  });

  test('docker parameters are refused on a mesos container, naming container.parameters', () => {
    refusedAt({ image: 'a', parameters: [{ key: 'memory-swap', value: '1g' }] }, 'container.parameters', /need type: docker/);
    refusedAt({ image: 'a', type: 'mesos', parameters: [] }, 'container.parameters', /need type: docker/);
  });

  test('a parameter named "name" is refused (Mesos refuses it too), and keys must be option names', () => {
    refusedAt({ type: 'docker', image: 'a', parameters: [{ key: 'name', value: 'x' }] }, 'container.parameters[0].key', /names its containers itself/);
    refusedAt({ type: 'docker', image: 'a', parameters: [{ key: '--memory', value: '1g' }] }, 'container.parameters[0].key', /without its dashes/);
  });

  test('volume paths must be absolute; the mode is RO or RW; at most 32 volumes; no unknown fields', () => {
    refusedAt({ image: 'a', volumes: [{ containerPath: 'data', hostPath: '/srv' }] }, 'container.volumes[0].containerPath', /absolute/);
    refusedAt({ image: 'a', volumes: [{ containerPath: '/data', hostPath: 'srv' }] }, 'container.volumes[0].hostPath', /absolute/);
    refusedAt({ image: 'a', volumes: [{ containerPath: '/data', hostPath: '/srv', mode: 'rw' }] }, 'container.volumes[0].mode', /RO|RW/);
    refusedAt({ image: 'a', volumes: [{ containerPath: '/data' }] }, 'container.volumes[0].hostPath', /./);
    const many = Array.from({ length: 33 }, (_, i) => ({ containerPath: `/v${i}`, hostPath: `/h${i}` }));
    refusedAt({ image: 'a', volumes: many }, 'container.volumes', /at most 32/);
    refusedAt({ image: 'a', volumes: [{ containerPath: '/d', hostPath: '/h', source: 'x' }] }, 'container.volumes[0].source', /unknown field/);
    refusedAt({ image: 'a', type: 'podman' }, 'container.type', /mesos|docker/);
  });

  test('network none is a spec like any other: the backend decides (the Mesos containerizer has none: core-local-host.test.ts)', () => {
    assert.ok(withContainer({ image: 'a', network: 'none' }).ok);
    assert.ok(withContainer({ image: 'a', type: 'docker', network: 'none' }).ok);
  });
});

describe('the ContainerInfo of each type', () => {
  const volumes = [
    { containerPath: '/data', hostPath: '/srv/data', mode: 'RO' },
    { containerPath: '/out', hostPath: '/srv/out' },
  ];
  const mesosVolumes = [
    { container_path: '/data', host_path: '/srv/data', mode: 'RO' },
    { container_path: '/out', host_path: '/srv/out', mode: 'RW' },
  ];

  test('mesos: a Docker image for the Mesos containerizer, cached unless forcePull, the bridge as the mesos-bridge CNI network', () => {
    const s = spec('etl', { container: { image: 'alpine:3.20', forcePull: true, network: 'bridge', volumes } });
    assert.deepEqual(launchRequestOf(run('etl'), s).taskInfo.container, {
      type: 'MESOS',
      mesos: { image: { type: 'DOCKER', docker: { name: 'alpine:3.20' }, cached: false } },
      volumes: mesosVolumes,
      network_infos: [{ name: 'mesos-bridge' }],
    });
    const plain = spec('etl', { container: { image: 'alpine:3.20' } });
    assert.deepEqual(launchRequestOf(run('etl'), plain).taskInfo.container, {
      type: 'MESOS',
      mesos: { image: { type: 'DOCKER', docker: { name: 'alpine:3.20' }, cached: true } },
    });
  });

  test('docker: DockerInfo with the network, force pull and parameters; the same volumes; the command kept', () => {
    const s = spec('etl', {
      command: 'echo hi',
      container: { type: 'docker', image: 'alpine:3.20', network: 'none', forcePull: true, volumes, parameters: [{ key: 'memory-swap', value: '512m' }] },
    });
    const task = launchRequestOf(run('etl'), s).taskInfo;
    assert.deepEqual(task.container, {
      type: 'DOCKER',
      docker: { image: 'alpine:3.20', network: 'NONE', force_pull_image: true, parameters: [{ key: 'memory-swap', value: '512m' }] },
      volumes: mesosVolumes,
    });
    assert.deepEqual([task.command?.shell, task.command?.value], [true, 'echo hi']);
    const bridged = spec('etl', { container: { type: 'docker', image: 'a', network: 'bridge' } });
    assert.deepEqual(launchRequestOf(run('etl'), bridged).taskInfo.container?.docker, { image: 'a', network: 'BRIDGE', force_pull_image: false });
  });
});
