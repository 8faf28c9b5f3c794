/**
 * The CLI (the built bin) fails in one line, exit 2 for a usage error and 1 for any other:
 * a server that accepts and never answers times out instead of hanging, and a negative
 * number given to a flag gets the flag's own message.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli-process.js';

/** Accepts connections, reads what comes, and never answers. */
let silent: Server;
let silentUrl: string;
const sockets = new Set<Socket>();
before(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
after(() => {
  for (const socket of sockets) socket.destroy();
  silent.close();
});

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env, killAfterMs: 20_000 });

const oneLine = (text: string) => assert.equal(text.split('\n').filter(Boolean).length, 1, `expected one line, got ${JSON.stringify(text)}`);

test('--timeout: a server that never answers is a one-line error naming it and the timeout, exit 1', async () => {
  const r = await cli(['jobs', '--server', silentUrl, '--timeout', '1s']);
  assert.equal(r.code, 1, r.stderr);
  oneLine(r.stderr);
  assert.match(r.stderr, new RegExp(`^moroccron: no answer from moroccron at ${silentUrl} in 1s`));
  assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
});

test('MOROCCRON_TIMEOUT sets the same timeout', async () => {
  const r = await cli(['get', 'x', '--server', silentUrl], { MOROCCRON_TIMEOUT: '1500ms' });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /no answer from moroccron at .* in 1\.5s/);
});

test('logs --follow: each poll has the timeout', async () => {
  const r = await cli(['logs', 'some-run', '--follow', '--server', silentUrl, '--timeout', '1s']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /no answer from moroccron at .* in 1s/);
});

test('a --timeout that is not a duration is a usage error, exit 2', async () => {
  const bad = await cli(['jobs', '--server', silentUrl, '--timeout', 'soon']);
  assert.equal(bad.code, 2, bad.stderr);
  assert.equal(bad.stderr, 'moroccron: --timeout must be a duration such as 30s or 2m, not "soon"\n');
  const zero = await cli(['jobs', '--server', silentUrl], { MOROCCRON_TIMEOUT: '0' });
  assert.equal(zero.code, 2, zero.stderr);
  assert.match(zero.stderr, /^moroccron: MOROCCRON_TIMEOUT must be a duration/);
});

test('--limit -1 is the flag\'s own one-line error, not "argument is ambiguous"', async () => {
  for (const args of [['--limit', '-1'], ['--limit=-1']]) {
    const r = await cli(['runs', 'x', ...args, '--server', silentUrl]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, 'moroccron: --limit must be 1-1000, not "-1"\n');
  }
  const fraction = await cli(['runs', 'x', '--limit', '-0.5', '--server', silentUrl]);
  assert.equal(fraction.stderr, 'moroccron: --limit must be 1-1000, not "-0.5"\n');
});

test('negative numbers reach other string flags too: --timeout -5s, serve --port -1', async () => {
  const timeout = await cli(['jobs', '--timeout', '-5s', '--server', silentUrl]);
  assert.equal(timeout.code, 2, timeout.stderr);
  assert.equal(timeout.stderr, 'moroccron: --timeout must be a duration such as 30s or 2m, not "-5s"\n');
  const port = await cli(['serve', '--port', '-1']);
  assert.equal(port.code, 2, port.stderr);
  assert.equal(port.stderr, 'moroccron: --port must be 0-65535, not "-1"\n');
});
