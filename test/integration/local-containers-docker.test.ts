/**
 * Container jobs with `--container-runtime docker`: the docker CLI this machine has, against
 * a Docker-compatible engine (podman's own service, since Docker's engine cannot run here).
 * Its engine makes the container's cgroups, so the run's limits go to it as options: they
 * are read back from inside the container. Skipped without podman or the docker CLI,
 * except under CI=true.
 *
 * Run: node --import tsx --test test/integration/local-containers-docker.test.ts
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { ContainerSpec } from '../../src/core/container-spec.js';
import type { Message } from '../../src/core/types.js';
import { containerName } from '../../src/backends/local/container-command.js';
import { Harness, jobFixtures } from '../helpers/local-backend-harness.js';
import { containerExists, dockerCliProblem, podmanForTests, startDockerEngine, TEST_IMAGE, type DockerEngine } from '../helpers/podman.js';

const skip = podmanForTests().skip || dockerCliProblem() || false;
const { makeRun, makeSpec } = jobFixtures('docked');
const image = (): ContainerSpec => ({ type: 'docker', image: TEST_IMAGE, forcePull: false, network: 'none', volumes: [] });
const exitOf = (h: Harness, runId: string) => h.next(runId, 'run-exited') as Promise<Extract<Message, { type: 'run-exited' }>>;
const harness = (t: TestContext) => new Harness(t, { prefix: 'moroccron-docker-', timeoutMs: 30_000, backend: { containerRuntime: 'docker' } });

const dir = mkdtempSync(join(tmpdir(), 'moroccron-docker-engine-'));
let engine: DockerEngine | null = null;
before(async () => {
  if (skip) return;
  engine = await startDockerEngine(dir);
  // The backend's probe, its launcher and so the docker client find the engine here.
  process.env.DOCKER_HOST = engine.host;
});
after(async () => {
  await engine?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('docker runs the image attached: output, status, working dir, env; its engine holds the limits it is given', { skip }, async (t) => {
  const h = harness(t);
  const backend = h.backend();
  assert.equal(backend.agents()[0]!.isolation?.containers?.runtime, 'docker');
  const run = makeRun('r-docked');
  const limits = 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max';
  backend.launch(run, makeSpec({ container: image(), command: `echo out; echo err >&2; pwd; echo "$GREETING"; ${limits}; exit 3`, env: { GREETING: 'hi' }, resources: { cpus: 0.5, mem: 64, disk: 0, gpus: 0, pids: 50 } }));
  const exit = await exitOf(h, run.id);
  assert.equal(exit.exitCode, 3, h.log(run.id, 'stderr'));
  assert.equal(h.log(run.id, 'stdout'), `out\n/mnt/moroccron/run\nhi\n${64 * 2 ** 20}\n50\n`);
  assert.equal(h.log(run.id, 'stderr'), 'err\n');
  assert.equal(exit.usage, undefined, 'docker\'s cgroups are its engine\'s: nothing measured');
  await h.until('the container removed at the end', () => !containerExists(containerName(h.dataDir, run.id)));
});

test('a kill stops the docker container and removes it', { skip }, async (t) => {
  const h = harness(t);
  const backend = h.backend();
  const run = makeRun('r-docked-sleeper');
  backend.launch(run, makeSpec({ container: image(), command: 'echo up > up; sleep 300' }));
  await h.fileAppears(run.id, 'work/up');
  backend.kill(run, 300, 'timed out');
  const exit = await exitOf(h, run.id);
  assert.equal(exit.exitCode, null);
  await h.until('the container gone', () => !containerExists(containerName(h.dataDir, run.id)));
});
