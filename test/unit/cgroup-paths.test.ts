/**
 * Where the per-run cgroups go, for mounts this host does not have (local-isolation.test.ts
 * runs the real ones): v1 with cpu and cpuacct mounted together, and v2. The cgroup files are
 * plain files in a temp dir here, so only paths and contents are checked, not the kernel.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RunCgroups } from '../../src/backends/local/cgroups.js';

function fakeMount(t: { after: (fn: () => void) => void }): string {
  const root = mkdtempSync(join(tmpdir(), 'moroccron-cgroup-paths-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

test('cgroup v1 with cpu and cpuacct in one hierarchy: one cgroup there, joined once', (t) => {
  const mount = fakeMount(t);
  for (const hierarchy of ['memory', 'cpu,cpuacct', 'pids']) {
    mkdirSync(join(mount, hierarchy, 'svc'), { recursive: true });
    writeFileSync(join(mount, hierarchy, 'cgroup.procs'), '');
  }
  symlinkSync('cpu,cpuacct', join(mount, 'cpu'));
  symlinkSync('cpu,cpuacct', join(mount, 'cpuacct'));
  const cgroups = new RunCgroups('moroccron-x', { mountPoint: mount, selfCgroup: '4:memory:/svc\n3:cpu,cpuacct:/svc\n2:pids:/svc\n0::/\n' });
  assert.equal(cgroups.mode, 'cgroups-v1');
  const procs = cgroups.create('run-1', { mem: 64, cpus: 0.25, pids: 100 });
  assert.deepEqual(procs, [
    join(mount, 'memory/svc/moroccron-x/run-1/cgroup.procs'),
    join(mount, 'cpu,cpuacct/svc/moroccron-x/run-1/cgroup.procs'),
    join(mount, 'pids/svc/moroccron-x/run-1/cgroup.procs'),
  ]);
  assert.equal(readFileSync(join(mount, 'memory/svc/moroccron-x/run-1/memory.limit_in_bytes'), 'utf8'), String(64 * 2 ** 20));
  assert.equal(readFileSync(join(mount, 'cpu,cpuacct/svc/moroccron-x/run-1/cpu.cfs_quota_us'), 'utf8'), '25000');
  assert.equal(readFileSync(join(mount, 'pids/svc/moroccron-x/run-1/pids.max'), 'utf8'), '100');
});

test('cgroup v2: one cgroup per run under the server\'s own, with the controllers passed down', (t) => {
  const mount = fakeMount(t);
  mkdirSync(join(mount, 'system.slice/moroccron.service'), { recursive: true });
  writeFileSync(join(mount, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  writeFileSync(join(mount, 'system.slice/moroccron.service/cgroup.controllers'), 'cpu memory pids\n');
  const cgroups = new RunCgroups('moroccron-x', { mountPoint: mount, selfCgroup: '0::/system.slice/moroccron.service\n' });
  assert.equal(cgroups.mode, 'cgroups-v2');
  const base = join(mount, 'system.slice/moroccron.service');
  assert.equal(readFileSync(join(base, 'cgroup.subtree_control'), 'utf8'), '+memory +cpu +pids');
  assert.equal(readFileSync(join(base, 'moroccron-x/cgroup.subtree_control'), 'utf8'), '+memory +cpu +pids');
  assert.deepEqual(cgroups.create('run-1', { mem: 128, cpus: 2, pids: 50 }), [join(base, 'moroccron-x/run-1/cgroup.procs')]);
  assert.equal(readFileSync(join(base, 'moroccron-x/run-1/memory.max'), 'utf8'), String(128 * 2 ** 20));
  assert.equal(readFileSync(join(base, 'moroccron-x/run-1/cpu.max'), 'utf8'), '200000 100000');
  assert.equal(readFileSync(join(base, 'moroccron-x/run-1/pids.max'), 'utf8'), '50');
});

test('a v2 cgroup without the memory controller, and no v1 hierarchies: no isolation, and why', (t) => {
  const mount = fakeMount(t);
  mkdirSync(join(mount, 'svc'), { recursive: true });
  writeFileSync(join(mount, 'cgroup.controllers'), 'cpu pids\n');
  writeFileSync(join(mount, 'svc/cgroup.controllers'), 'cpu pids\n');
  const cgroups = new RunCgroups('moroccron-x', { mountPoint: mount, selfCgroup: '0::/svc\n' });
  assert.equal(cgroups.mode, 'none');
  assert.match(cgroups.why ?? '', /lacks the memory controller/);
  assert.match(cgroups.why ?? '', /no memory hierarchy mounted/);
  assert.deepEqual(cgroups.create('run-1', { mem: 64, cpus: 1, pids: 10 }), []);
});
