/** `serve --isolation`, `--pids-limit` and `--container-runtime`: what is taken, and the one-line errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isolationSettings } from '../../src/cli/isolation-flags.js';

test('the local backend takes each flag; nothing given is left to the backend\'s defaults', () => {
  assert.deepEqual(isolationSettings('local', undefined, undefined, undefined), {});
  assert.deepEqual(isolationSettings('local', 'cgroups', '64', 'podman'), { isolation: 'cgroups', pidsLimit: 64, containerRuntime: 'podman' });
  for (const runtime of ['docker', 'auto', 'none'] as const) assert.equal(isolationSettings('local', undefined, undefined, runtime).containerRuntime, runtime);
});

test('bad values and flags meant for the local backend on Mesos are one-line errors naming the flag', () => {
  assert.throws(() => isolationSettings('local', 'containers', undefined), /--isolation must be cgroups or none, not "containers"/);
  assert.throws(() => isolationSettings('local', undefined, '0'), /--pids-limit must be a whole number/);
  assert.throws(() => isolationSettings('local', undefined, undefined, 'crun'), /--container-runtime must be podman, docker, auto or none, not "crun"/);
  assert.throws(() => isolationSettings('mesos', undefined, undefined, 'podman'), /--container-runtime is for the local backend/);
  assert.throws(() => isolationSettings('mesos', 'cgroups', undefined), /--isolation is for the local backend/);
});
