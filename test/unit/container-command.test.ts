/**
 * The command lines that run a local job's container (container-command.ts) and the OCI
 * hook that puts it into the run's cgroups (cgroup-join-hook.ts). Podman's are also run for
 * real in test/integration/local-containers.test.ts; docker's engine is not on this machine,
 * so its lines are checked here only.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cgroupJoinHook, CGROUP_JOIN_HOOK, writeCgroupJoinHook } from '../../src/backends/local/cgroup-join-hook.js';
import { containerEnvFile, containerName, containerRemoveArgs, containerRunArgs, type ContainerRunOptions } from '../../src/backends/local/container-command.js';
import { containerSchema } from '../../src/core/container-spec.js';

const options = (over: Partial<ContainerRunOptions> = {}): ContainerRunOptions => ({
  runtime: 'podman',
  name: 'moroccron-abc',
  labels: { 'moroccron.job': 'nightly', 'moroccron.run': 'nightly:1' },
  container: containerSchema.parse({ image: 'alpine:3.20' }),
  workDir: '/var/lib/moroccron/runs/nightly:1',
  envFile: '/runs/r1/.container.env',
  user: null,
  hooksDir: null,
  limits: null,
  command: 'echo hi',
  args: undefined,
  ...over,
});

test('podman: attached, removed at the end, the run dir as working dir, env by name, the command through the image\'s sh', () => {
  assert.deepEqual(containerRunArgs(options({ hooksDir: '/runs/r1/.hooks' })), [
    '--hooks-dir', '/runs/r1/.hooks',
    'run', '--rm', '--name', 'moroccron-abc', '--log-driver', 'none',
    '--label', 'moroccron.job=nightly', '--label', 'moroccron.run=nightly:1',
    '--pull', 'missing', '--network', 'host',
    '--volume', '/var/lib/moroccron/runs/nightly:1:/mnt/moroccron/run:rw', '--workdir', '/mnt/moroccron/run',
    '--env-file', '/runs/r1/.container.env',
    '--entrypoint', '/bin/sh', 'alpine:3.20', '-c', 'echo hi',
  ]);
});

test('args go to the image\'s entrypoint; neither runs the image\'s own command; forcePull, network, volumes and the user with its groups', () => {
  const container = containerSchema.parse({ type: 'docker', image: 'registry.example/tool:2', forcePull: true, network: 'none', volumes: [{ hostPath: '/srv/in', containerPath: '/in', mode: 'RO' }, { hostPath: '/srv/out', containerPath: '/out' }] });
  const args = containerRunArgs(options({ container, command: undefined, args: ['--verbose', 'a b'], user: { uid: 1001, gid: 1002, groups: [27, 103] } }));
  assert.deepEqual(args.slice(args.indexOf('--pull')), [
    '--pull', 'always', '--network', 'none',
    '--volume', '/var/lib/moroccron/runs/nightly:1:/mnt/moroccron/run:rw', '--workdir', '/mnt/moroccron/run',
    '--volume', '/srv/in:/in:ro', '--volume', '/srv/out:/out:rw',
    '--env-file', '/runs/r1/.container.env',
    '--user', '1001:1002', '--security-opt', 'no-new-privileges', '--group-add', '27', '--group-add', '103',
    'registry.example/tool:2', '--verbose', 'a b',
  ]);
  const bare = containerRunArgs(options({ command: undefined, args: undefined }));
  assert.equal(bare.at(-1), 'alpine:3.20');
  assert.ok(!bare.includes('--entrypoint'));
});

test('docker: its engine holds the container to the limits, given as options; it takes no hooks dir', () => {
  const args = containerRunArgs(options({ runtime: 'docker', limits: { mem: 64, cpus: 0.25, pids: 100 } }));
  assert.deepEqual(args.slice(0, 3), ['run', '--name', 'moroccron-abc'], 'no --rm: the backend removes it once it has the status');
  const at = args.indexOf('--memory');
  assert.deepEqual(args.slice(at, at + 8), ['--memory', String(64 * 1024 * 1024), '--memory-swap', String(64 * 1024 * 1024), '--cpus', '0.25', '--pids-limit', '100']);
  assert.throws(() => containerRunArgs(options({ runtime: 'docker', hooksDir: '/x' })), /only podman/);
  assert.deepEqual(containerRemoveArgs('docker', 'moroccron-abc'), ['rm', '--force', 'moroccron-abc']);
  assert.deepEqual(containerRemoveArgs('podman', 'moroccron-abc'), ['rm', '--force', '--ignore', '--time', '0', 'moroccron-abc']);
});

test('the environment file: KEY=value a line, values as they are; a line break cannot be written', () => {
  assert.equal(containerEnvFile({ A: '  spaced  ', B: '"quoted" #not a comment', C: 'x=y', D: '' }), 'A=  spaced  \nB="quoted" #not a comment\nC=x=y\nD=\n');
  assert.throws(() => containerEnvFile({ PEM: 'line 1\nline 2' }), /PEM has a line break/);
  assert.throws(() => containerEnvFile({ CR: 'a\rb' }), /CR has a line break/);
});

test('container names: valid for both runtimes, one per data dir and run', () => {
  const a = containerName('/var/lib/moroccron', 'nightly:s:2026-01-01T00:00:00.000Z');
  assert.match(a, /^moroccron-[0-9a-f]{24}$/);
  assert.equal(a, containerName('/var/lib/moroccron/', 'nightly:s:2026-01-01T00:00:00.000Z'));
  assert.notEqual(a, containerName('/srv/other', 'nightly:s:2026-01-01T00:00:00.000Z'));
  assert.notEqual(a, containerName('/var/lib/moroccron', 'nightly:s:2026-01-01T00:01:00.000Z'));
});

test('the cgroup hook: run by the runtime with the container\'s state, it writes the pid into each cgroup.procs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moroccron-hook-'));
  try {
    const procs = [join(dir, 'memory.procs'), join(dir, 'pids procs')];
    writeCgroupJoinHook(join(dir, 'hooks'), procs);
    const hook = JSON.parse(readFileSync(join(dir, 'hooks', CGROUP_JOIN_HOOK), 'utf8'));
    assert.deepEqual(hook, JSON.parse(JSON.stringify(cgroupJoinHook(procs))));
    assert.deepEqual(hook.stages, ['createRuntime']);
    const state = JSON.stringify({ ociVersion: '1.0.2', id: 'c1', status: 'creating', pid: 4242, bundle: '/b', annotations: { 'x.pid': '"pid":1' } });
    execFileSync(hook.hook.path, hook.hook.args.slice(1), { input: state });
    for (const path of procs) assert.equal(readFileSync(path, 'utf8'), '4242\n');
    // No pid, or a file it cannot write: the hook fails, and so does the container's creation.
    assert.throws(() => execFileSync(hook.hook.path, hook.hook.args.slice(1), { input: '{"id":"c1"}', stdio: 'pipe' }), /no pid in the container state/);
    const unwritable = cgroupJoinHook([join(dir, 'missing', 'cgroup.procs')]) as { hook: { args: string[] } };
    assert.throws(() => execFileSync('/bin/sh', unwritable.hook.args.slice(1), { input: state, stdio: 'pipe' }), /cannot put the container into its cgroup/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
