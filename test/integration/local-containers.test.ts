/**
 * Container jobs on the local backend, through a real podman with a busybox image made
 * here: output in the run's logs, the run dir as the working directory, the run's cgroups
 * and their limits (an OCI hook puts the container in), kill, a job's user, and re-attach
 * after a restart. Skipped without podman, except under CI=true (test/helpers/podman.ts).
 *
 * Run: node --import tsx --test test/integration/local-containers.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { ContainerSpec } from '../../src/core/container-spec.js';
import type { Message } from '../../src/core/types.js';
import { cgroupName, RunCgroups } from '../../src/backends/local/cgroups.js';
import { CONTAINER_WORK_DIR, containerName } from '../../src/backends/local/container-command.js';
import { listGroups, listUsers, supplementaryGroups } from '../../src/lib/passwd.js';
import { Harness, jobFixtures } from '../helpers/local-backend-harness.js';
import { containerExists, podmanForTests, TEST_IMAGE } from '../helpers/podman.js';

const { skip } = podmanForTests();
const cgroupsProbe = new RunCgroups(`moroccron-probe-${process.pid}`);
cgroupsProbe.close();
const noCgroups = skip || (cgroupsProbe.mode === 'none' ? `no writable cgroups here: ${cgroupsProbe.why}` : false);

const { makeRun, makeSpec } = jobFixtures('boxed');
const image = (over: Partial<ContainerSpec> = {}): ContainerSpec => ({ type: 'mesos', image: TEST_IMAGE, forcePull: false, network: 'none', volumes: [], ...over });
const resources = (mem: number) => ({ cpus: 0.5, mem, disk: 0, gpus: 0 });
const exitOf = (h: Harness, runId: string) => h.next(runId, 'run-exited') as Promise<Extract<Message, { type: 'run-exited' }>>;
const harness = (t: TestContext) =>
  new Harness(t, { prefix: 'moroccron-containers-', timeoutMs: 30_000, backend: { containerRuntime: 'podman' } });

test('a container job runs in its image, in work/ of its run dir, with its env; its output is in the run logs', { skip }, async (t) => {
  const h = harness(t);
  const backend = h.backend();
  assert.equal(backend.agents()[0]!.isolation?.containers?.runtime, 'podman');
  const run = makeRun('r-boxed');
  backend.launch(run, makeSpec({ container: image(), command: 'echo out; echo err >&2; pwd; echo "$GREETING $MOROCCRON_JOB"; ls -A | wc -l; echo made > made.txt; exit 3', env: { GREETING: 'hello from the host' } }));
  const exit = await exitOf(h, run.id);
  assert.equal(exit.exitCode, 3);
  // An empty directory: the wrapper's files (pid, exit, the hook, the FIFOs) are out of the container's reach.
  assert.equal(h.log(run.id, 'stdout'), `out\n${CONTAINER_WORK_DIR}\nhello from the host boxed\n0\n`);
  assert.equal(h.log(run.id, 'stderr'), 'err\n');
  assert.equal(readFileSync(join(h.runDir(run.id), 'work', 'made.txt'), 'utf8'), 'made\n');
  await h.until('the container removed', () => !containerExists(containerName(h.dataDir, run.id)));

  // args: the image's program, no shell; a volume, read-only.
  const listed = makeRun('r-args');
  backend.launch(listed, makeSpec({ container: image({ volumes: [{ hostPath: join(h.runDir(run.id), 'work'), containerPath: '/data', mode: 'RO' }] }), args: ['sh', '-c', 'cat /data/made.txt; echo no > /data/other.txt'] }));
  const listedExit = await exitOf(h, listed.id);
  assert.notEqual(listedExit.exitCode, 0);
  assert.equal(h.log(listed.id, 'stdout'), 'made\n');
  assert.match(h.log(listed.id, 'stderr'), /Read-only file system/);
});

test('the job\'s environment reaches the container, not the runtime\'s client, which runs as root', { skip }, async (t) => {
  const h = harness(t);
  const backend = h.backend();
  const run = makeRun('r-box-env');
  // Each of these, in podman's own environment, would break it or act on it.
  const env = { LD_PRELOAD: '/nonexistent/hook.so', PATH: '/nonexistent', CONTAINERS_CONF: '/nonexistent/containers.conf', NOTE: '  "as is" #x=y ' };
  backend.launch(run, makeSpec({ container: image(), args: ['/bin/sh', '-c', 'printf "%s|%s|%s|%s\\n" "$LD_PRELOAD" "$PATH" "$CONTAINERS_CONF" "$NOTE"'], env }));
  const exit = await exitOf(h, run.id);
  assert.equal(exit.exitCode, 0, h.log(run.id, 'stderr'));
  assert.equal(h.log(run.id, 'stdout'), `${env.LD_PRELOAD}|${env.PATH}|${env.CONTAINERS_CONF}|${env.NOTE}\n`);
  assert.equal(h.log(run.id, 'stderr'), '');
  assert.equal(existsSync(join(h.runDir(run.id), '.container.env')), false, 'the environment file is gone with the run');
});

test('a container is held to the run\'s memory limit in the run\'s own cgroups, and fails with the memory reason', { skip: noCgroups }, async (t) => {
  const h = harness(t);
  const backend = h.backend();
  const hog = makeRun('r-box-hog');
  // About 200 MB in one shell variable, against 64 MiB.
  backend.launch(hog, makeSpec({ container: image(), command: 'grep -E "memory|0::" /proc/self/cgroup; x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo ${#x}', resources: resources(64) }));
  const exit = await exitOf(h, hog.id);
  assert.equal(exit.memoryLimitMiB, 64);
  assert.equal(exit.signal, 'SIGKILL');
  assert.ok(exit.usage!.cpuSeconds > 0);
  assert.match(h.log(hog.id, 'stdout'), new RegExp(`${hog.id}\\n`), 'the container was in the run\'s cgroup');
});

test('a kill stops the container and removes it', { skip }, async (t) => {
  const h = harness(t);
  const backend = h.backend();
  const run = makeRun('r-box-sleeper');
  backend.launch(run, makeSpec({ container: image(), command: 'echo up > up; sleep 300' }));
  await h.fileAppears(run.id, 'work/up');
  const name = containerName(h.dataDir, run.id);
  assert.ok(containerExists(name));
  // The sleeper is the container's first process: it ignores TERM, so the grace period ends in a KILL.
  backend.kill(run, 300, 'timed out');
  const exit = await exitOf(h, run.id);
  assert.equal(exit.exitCode, null);
  await h.until('the container gone', () => !containerExists(name));
});

test('a container run survives the server: a new backend re-attaches to it and sees it end', { skip }, async (t) => {
  const h = harness(t);
  const first = h.backend();
  const run = makeRun('r-box-long');
  first.launch(run, makeSpec({ container: image(), command: 'echo up > up; sleep 2; echo finished' }));
  await h.next(run.id, 'run-started');
  await h.fileAppears(run.id, 'work/up');
  await first.close();
  const second = h.backend();
  second.reattach(run, null);
  const exit = await exitOf(h, run.id);
  assert.equal(exit.exitCode, 0);
  assert.equal(h.log(run.id, 'stdout'), 'finished\n');
  assert.ok(h.of(run.id).filter((m) => m.type === 'run-started').length >= 2);
});

test('a job that names a user runs as that user in its container, in a working dir of its own', { skip: process.getuid?.() === 0 ? skip : 'the server must be root' }, async (t) => {
  const h = harness(t);
  const backend = h.backend();
  const run = makeRun('r-box-user');
  backend.launch(run, makeSpec({ container: image(), user: 'nobody', command: 'id -u; id -g; echo mine > mine.txt' }));
  const exit = await exitOf(h, run.id);
  assert.equal(exit.exitCode, 0, h.log(run.id, 'stderr'));
  assert.equal(h.log(run.id, 'stdout'), '65534\n65534\n');
  assert.equal(statSync(join(h.runDir(run.id), 'work', 'mine.txt')).uid, 65534);
});

/** A user of this host with supplementary groups (Debian's postgres is in ssl-cert); under CI=true there must be one. */
function userWithGroups(): string | undefined {
  const users = new Set(listUsers().map((account) => account.name));
  const found = [...supplementaryGroups(listGroups()).keys()].find((name) => users.has(name) && name !== 'root');
  if (found === undefined && process.env.CI === 'true') throw new Error('no user here is a member of a group: the CI machine has postgres, a member of ssl-cert');
  return found;
}

test('a user\'s supplementary groups go with it into its container, as into a process run', { skip: process.getuid?.() === 0 ? skip : 'the server must be root' }, async (t) => {
  const user = userWithGroups();
  if (user === undefined) return t.skip('no user here is a member of a group');
  const h = harness(t);
  const backend = h.backend();
  const boxed = makeRun('r-box-groups');
  const plain = makeRun('r-plain-groups');
  const listGids = 'id -G | tr " " "\\n" | sort -n | tr "\\n" " "';
  backend.launch(boxed, makeSpec({ container: image(), user, command: listGids }));
  backend.launch(plain, makeSpec({ user, command: listGids }));
  assert.equal((await exitOf(h, boxed.id)).exitCode, 0, h.log(boxed.id, 'stderr'));
  assert.equal((await exitOf(h, plain.id)).exitCode, 0, h.log(plain.id, 'stderr'));
  const gids = h.log(plain.id, 'stdout').trim().split(' ');
  assert.ok(gids.length >= 2, `${user} is in more than its own group: ${gids.join(' ')}`);
  assert.equal(h.log(boxed.id, 'stdout'), h.log(plain.id, 'stdout'));
});

test('without the run\'s cgroups (isolation none) a kill still ends the container: it is removed by its name', { skip }, async (t) => {
  const h = harness(t);
  const backend = h.backend({ isolation: 'none' });
  const run = makeRun('r-box-unlimited');
  backend.launch(run, makeSpec({ container: image(), command: 'echo up > up; sleep 300' }));
  await h.fileAppears(run.id, 'work/up');
  const name = containerName(h.dataDir, run.id);
  backend.kill(run, 0, 'timed out');
  const exit = await exitOf(h, run.id);
  assert.equal(exit.usage, undefined, 'not measured');
  await h.until('the container gone', () => !containerExists(name));
});

test('a kill while podman is still making the container leaves no container behind', { skip }, async (t) => {
  const h = harness(t);
  const backend = h.backend();
  const cgroups = noCgroups ? null : new RunCgroups(cgroupName(h.dataDir));
  const runs = [0, 40, 80, 120].flatMap((delayMs) => [0, 300].map((graceMs) => ({ run: makeRun(`r-box-early-${delayMs}-${graceMs}`), delayMs, graceMs })));
  for (const { run } of runs) backend.launch(run, makeSpec({ container: image(), command: 'sleep 300' }));
  await Promise.all(
    runs.map(async ({ run, delayMs, graceMs }) => {
      await h.next(run.id, 'run-started');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      backend.kill(run, graceMs, 'stopped at once');
      await exitOf(h, run.id);
      await h.until(`${run.id}'s container gone`, () => !containerExists(containerName(h.dataDir, run.id)));
      // Nor anything in its cgroups (runc's init, had the hook put it there after the kill).
      if (cgroups !== null) await h.until(`${run.id}'s cgroups gone`, () => !cgroups.runIds().includes(run.id), 10_000);
    }),
  );
});

test('a server that re-attached to a container run can kill it: the container\'s name is in the run dir', { skip }, async (t) => {
  const h = harness(t);
  const first = h.backend();
  const run = makeRun('r-box-adopted');
  first.launch(run, makeSpec({ container: image(), command: 'echo up > up; sleep 300' }));
  await h.fileAppears(run.id, 'work/up');
  await first.close();
  const second = h.backend();
  second.reattach(run, null);
  await h.until('adopted', () => h.of(run.id).filter((m) => m.type === 'run-started').length >= 2);
  second.kill(run, 0, 'stopped after the restart');
  await exitOf(h, run.id);
  await h.until('the container gone', () => !containerExists(containerName(h.dataDir, run.id)));
});
