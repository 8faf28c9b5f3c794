import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launcherExecArgv } from '../../src/backends/local/launcher.js';

test('the launcher drops the server-only node flags and the values given after them', () => {
  assert.deepEqual(launcherExecArgv(['--cpu-prof', '--cpu-prof-dir', '/tmp/prof', '--max-old-space-size=512']), ['--max-old-space-size=512']);
  assert.deepEqual(launcherExecArgv(['--heap-prof-dir=/tmp/h', '--import', 'tsx', '--inspect=127.0.0.1:9229']), ['--import', 'tsx']);
  assert.deepEqual(launcherExecArgv(['--report-dir', '/tmp/r', '--report-on-signal', '--enable-source-maps']), ['--enable-source-maps']);
});
