/**
 * Honest specs on the local backend, where this host is the only agent: what it can never do
 * is refused when the job is applied (naming the field), and constraints that limit how many
 * runs share an agent limit them here.
 *
 * Run: node --import tsx --test test/unit/core-local-host.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeScheduler, spec } from '../helpers/fake-scheduler.js';

const local = () => new FakeScheduler({ start: '2026-01-01T10:00:30.000Z', attributes: { rack: 'r1', zone: 'eu' } });

test('a container job is refused at apply time where the host has no container runtime, and accepted on Mesos', () => {
  const refused = local().putJobs(spec({ name: 'boxed', container: { image: 'alpine:3.20' } }));
  assert.ok(!refused.ok);
  assert.equal(refused.status, 400);
  assert.equal(refused.details?.[0]?.field, 'container');
  assert.match(refused.message, /this host runs no containers \(no container runtime\)/);

  const why = 'podman is not installed (not in PATH); docker is not installed (not in PATH)';
  const bare = new FakeScheduler({ start: '2026-01-01T10:00:30.000Z', isolation: { mode: 'cgroups-v1', why: null, containers: { runtime: null, why } } });
  const named = bare.putJobs(spec({ name: 'boxed', container: { image: 'alpine:3.20' } }));
  assert.ok(!named.ok);
  assert.ok(named.message.includes(why), named.message);

  const mesos = new FakeScheduler({ start: '2026-01-01T10:00:30.000Z', offers: { agents: ['a1'] } });
  assert.equal(mesos.putJobs(spec({ name: 'boxed', container: { image: 'alpine:3.20' } })).ok, true);
  // No network at all: the Docker containerizer has it, the Mesos containerizer does not.
  assert.equal(mesos.putJobs(spec({ name: 'cut-off', container: { type: 'docker', image: 'alpine:3.20', network: 'none' } })).ok, true);
  const noNetwork = mesos.putJobs(spec({ name: 'cut-off', container: { image: 'alpine:3.20', network: 'none' } }));
  assert.ok(!noNetwork.ok);
  assert.equal(noNetwork.details?.[0]?.field, 'container.network');
  assert.match(noNetwork.message, /Mesos containerizer has no "none" network/);
});

test('with podman on the host a container job is accepted, but not docker run options, which could lift its limits', () => {
  const podman = new FakeScheduler({ start: '2026-01-01T10:00:30.000Z', isolation: { mode: 'cgroups-v1', why: null, containers: { runtime: 'podman', version: '4.3.1' } } });
  assert.equal(podman.putJobs(spec({ name: 'boxed', container: { image: 'alpine:3.20' } })).ok, true);
  assert.equal(podman.putJobs(spec({ name: 'boxed-docker', container: { type: 'docker', image: 'alpine:3.20', network: 'none' } })).ok, true);
  assert.equal(podman.putJobs(spec({ name: 'boxed-offline', container: { image: 'alpine:3.20', network: 'none' } })).ok, true);
  const options = podman.putJobs(spec({ name: 'privileged', container: { type: 'docker', image: 'alpine:3.20', parameters: [{ key: 'privileged', value: 'true' }] } }));
  assert.ok(!options.ok);
  assert.equal(options.status, 400);
  assert.equal(options.details?.[0]?.field, 'container.parameters');
  const colon = podman.putJobs(spec({ name: 'colon', container: { image: 'alpine:3.20', volumes: [{ hostPath: '/srv/a:b', containerPath: '/data' }] } }));
  assert.ok(!colon.ok);
  assert.equal(colon.details?.[0]?.field, 'container.volumes[0].hostPath');
  const multiLine = podman.putJobs(spec({ name: 'pem', container: { image: 'alpine:3.20' }, env: { ONE: 'line', PEM: '-----BEGIN\n-----END' } }));
  assert.ok(!multiLine.ok);
  assert.deepEqual(multiLine.details?.map((d) => d.field), ['env.PEM']);
  assert.equal(podman.putJobs(spec({ name: 'pem', command: 'true', env: { PEM: '-----BEGIN\n-----END' } })).ok, true, 'a job without an image takes it');
});

test('constraints are matched against this host: hostname and the configured attributes', () => {
  const fake = local();
  const fits = fake.putJobs(
    spec({ name: 'fits', constraints: [['rack', 'EQUALS', 'r1'], ['hostname', 'LIKE', 'agent-.*'], ['zone', 'UNLIKE', 'us-.*'], ['rack', 'CLUSTER', 'r1'], ['rack', 'GROUP_BY']] }),
  );
  assert.equal(fits.ok, true, JSON.stringify(fits));
  const never = fake.putJobs(spec({ name: 'elsewhere', constraints: [['rack', 'EQUALS', 'r1'], ['rack', 'LIKE', 'r[23]'], ['gpu', 'UNIQUE']] }));
  assert.ok(!never.ok);
  assert.deepEqual(never.details?.map((d) => d.field), ['constraints[1]', 'constraints[2]']);
  assert.match(never.details![0]!.message, /never holds on this host \(agent-1: hostname=agent-1, rack=r1, zone=eu\)/);
  // In a list, the job's index names it.
  const list = fake.putJobs(spec({ name: 'ok' }), spec({ name: 'bad', constraints: [['zone', 'EQUALS', 'us']] }));
  assert.ok(!list.ok);
  assert.equal(list.details?.[0]?.field, '[1].constraints[0]');
});

test('UNIQUE lets one run of the job go at a time on this host, MAX_PER n lets n', () => {
  const fake = local();
  fake.putJobs(
    spec({ name: 'single', concurrency: 'allow', constraints: [['hostname', 'UNIQUE']] }),
    spec({ name: 'pair', concurrency: 'allow', constraints: [['rack', 'MAX_PER', '2']] }),
  );
  const run = (name: string) => {
    const r = fake.command({ kind: 'run-job', name });
    assert.ok(r.ok);
    return r.value.id;
  };
  const singles = [run('single'), run('single')];
  const pairs = [run('pair'), run('pair'), run('pair')];
  const launched = () => new Set(fake.launches.map((r) => r.id));
  assert.deepEqual([...launched()].sort(), [singles[0], pairs[0], pairs[1]].sort());
  fake.started(singles[0]!);
  fake.exited(singles[0]!, 0);
  fake.started(pairs[0]!);
  fake.exited(pairs[0]!, 0);
  assert.ok(launched().has(singles[1]!), 'the next one goes when the first has ended');
  assert.ok(launched().has(pairs[2]!));
});
