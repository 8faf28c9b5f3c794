/**
 * Crash-only: an error nobody handled makes `moroccron serve` log what it was and exit
 * non-zero (a supervisor or a standby takes over; the store has every decision), instead of
 * dying silently or running on in an unknown state.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServerProcess, tempDir } from '../helpers/server-process.js';

test('an unhandled rejection is logged with its cause and the server exits non-zero', async (t) => {
  const dir = tempDir();
  t.after(dir.remove);
  const preload = join(import.meta.dirname, '..', 'fixtures', 'reject-after-start.mjs');
  const server = await startServerProcess(dir.path, [], { nodeArgs: ['--import', preload], env: { REJECT_AFTER_MS: '1000' } });
  t.after(() => server.kill());
  const code = await server.exited;
  assert.equal(code, 70, server.output());
  const fatal = server
    .output()
    .split('\n')
    .filter((line) => line.includes('"level":60'))
    .map((line) => JSON.parse(line) as { msg: string; err?: { message?: string; stack?: string } });
  assert.equal(fatal.length, 1, server.output());
  assert.match(fatal[0]!.msg, /^unhandled promise rejection: injected by the test: a rejection nobody handled; exiting/);
  assert.match(fatal[0]!.err?.stack ?? '', /reject-after-start\.mjs/, 'the stack says where it came from');
});
