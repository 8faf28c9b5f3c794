/**
 * /api/v1/events resumes where a client left off, against the built server over real HTTP:
 * ids are `<stream>:<n>`; a reconnect with Last-Event-ID (or ?lastEventId=) gets exactly the
 * events it missed; one that names another process's stream, or events pushed out of the
 * buffer of 1000, gets `event: reset` first.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openEventStream, type SseFrame } from '../helpers/event-stream.js';
import { api, runToEnd, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

const dir = tempDir();
let server: ServerProcess;
const events = (job?: string) => `${server.url}/api/v1/events${job ? `?job=${job}` : ''}`;

const idNumber = (id: string | null): number => Number(id!.split(':')[1]);
const streamOf = (id: string | null): string => id!.split(':')[0]!;
const runStatuses = (frames: SseFrame[]) => frames.filter((f) => f.event === 'run').map((f) => (JSON.parse(f.data!) as { run: { status: string } }).run.status);

before(async () => {
  server = await startServerProcess(dir.path);
  assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'echo', command: 'echo hi' })).status, 201);
});

after(async () => {
  await server.stop();
  dir.remove();
});

test('a new stream starts with the current id; events follow with consecutive ids of one stream', async () => {
  const stream = await openEventStream(events());
  await stream.until((f) => f.some((x) => x.id !== null), 'the first id');
  const first = stream.lastId();
  assert.match(first!, /^[0-9a-f]{12}:\d+$/);
  await runToEnd(server.url, 'echo');
  await stream.until((f) => runStatuses(f).includes('succeeded'), 'the run to succeed');
  await stream.close();
  const ids = stream.events().map((f) => f.id);
  assert.ok(ids.length >= 4);
  assert.ok(ids.every((id) => streamOf(id) === streamOf(first)));
  assert.deepEqual(ids.map(idNumber), ids.map((_, i) => idNumber(first) + 1 + i), 'ids are not consecutive');
});

test('a reconnect with Last-Event-ID gets exactly what it missed, then live events', async () => {
  const first = await openEventStream(events());
  await first.until((f) => f.some((x) => x.id !== null), 'the first id');
  const seen = first.lastId()!;
  await first.close();

  // Missed while away: a whole run.
  const missedRun = await runToEnd<{ id: string; status: string }>(server.url, 'echo');
  const again = await openEventStream(events(), { 'last-event-id': seen });
  await again.until((f) => runStatuses(f).includes('succeeded'), 'the missed run replayed');
  assert.ok(!again.frames.some((f) => f.event === 'reset'));
  const replayed = again.events();
  assert.deepEqual(
    replayed.map((f) => idNumber(f.id)),
    replayed.map((_, i) => idNumber(seen) + 1 + i),
    'the replay starts right after the id sent and leaves nothing out',
  );
  assert.ok(replayed.every((f) => (JSON.parse(f.data!) as { run: { id: string } }).run.id === missedRun.id));
  assert.deepEqual(runStatuses(replayed), ['queued', 'launching', 'running', 'succeeded']);

  // Still live afterwards.
  const liveRun = await runToEnd<{ id: string; status: string }>(server.url, 'echo');
  await again.until((f) => f.some((x) => x.event === 'run' && x.data!.includes(liveRun.id) && x.data!.includes('"succeeded"')), 'the live run');
  await again.close();
});

test('?lastEventId= does the same for clients that cannot set headers; ?job= filters the replay', async () => {
  const first = await openEventStream(events());
  await first.until((f) => f.some((x) => x.id !== null), 'the first id');
  const seen = first.lastId()!;
  await first.close();
  assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'other', command: 'true' })).status, 201);
  await runToEnd(server.url, 'echo');

  const all = await openEventStream(`${events()}?lastEventId=${encodeURIComponent(seen)}`);
  await all.until((f) => runStatuses(f).includes('succeeded'), 'the replay');
  assert.deepEqual(all.events()[0] && JSON.parse(all.events()[0]!.data!), { kind: 'job', action: 'put', job: 'other' });
  await all.close();

  const echoOnly = await openEventStream(`${events('echo')}&lastEventId=${encodeURIComponent(seen)}`);
  await echoOnly.until((f) => runStatuses(f).includes('succeeded'), 'the filtered replay');
  assert.ok(!echoOnly.events().some((f) => f.data!.includes('"other"')), 'the job filter let another job through');
  // The id it ends on is past the other job's event too, so a later reconnect does not see it again.
  await echoOnly.until((f) => idNumber(f.at(-1)!.id ?? null) >= idNumber(all.events().at(-1)!.id), 'the id after the replay');
  await echoOnly.close();
});

test('an id of another stream, or one that is not an id: reset first, with the current id, then live', async () => {
  for (const stale of ['0123456789ab:3', 'nonsense']) {
    const stream = await openEventStream(events(), { 'last-event-id': stale });
    await stream.until((f) => f.some((x) => x.event === 'reset'), `a reset for ${stale}`);
    const reset = stream.frames.find((f) => f.event === 'reset')!;
    assert.equal(reset.data, '{}');
    assert.match(reset.id!, /^[0-9a-f]{12}:\d+$/);
    assert.equal(stream.events()[0], reset, 'the reset comes before any event');
    const run = await runToEnd<{ id: string; status: string }>(server.url, 'echo');
    await stream.until((f) => f.some((x) => x.event === 'run' && x.data!.includes(run.id)), 'live events after the reset');
    await stream.close();
  }
});

test('events pushed out of the buffer of 1000: reset', async () => {
  const stream = await openEventStream(events());
  await stream.until((f) => f.some((x) => x.id !== null), 'the first id');
  const seen = stream.lastId()!;
  await stream.close();
  // 1001 new jobs: 1001 job events while the client is away.
  const jobs = Array.from({ length: 1001 }, (_, i) => ({ name: `filler-${i}`, command: 'true' }));
  assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', jobs)).status, 201);
  const again = await openEventStream(events(), { 'last-event-id': seen });
  await again.until((f) => f.some((x) => x.event === 'reset'), 'a reset');
  assert.equal(again.events().length, 1, 'nothing is replayed after a reset');
  assert.ok(idNumber(again.events()[0]!.id) >= idNumber(seen) + 1001);
  await again.close();

  // 1000 back is still held: replayed, no reset.
  const oneThousandBack = `${streamOf(seen)}:${idNumber(again.events()[0]!.id) - 1000}`;
  const held = await openEventStream(events(), { 'last-event-id': oneThousandBack });
  await held.until((f) => f.filter((x) => x.event === 'job').length === 1000, 'the 1000 kept events');
  assert.ok(!held.frames.some((f) => f.event === 'reset'));
  await held.close();
});

test('after a restart the old stream is gone: reset', async () => {
  const stream = await openEventStream(events());
  await stream.until((f) => f.some((x) => x.id !== null), 'the first id');
  const seen = stream.lastId()!;
  await stream.close();
  await server.stop();
  server = await startServerProcess(dir.path);
  const again = await openEventStream(events(), { 'last-event-id': seen });
  await again.until((f) => f.some((x) => x.event === 'reset'), 'a reset after the restart');
  assert.notEqual(streamOf(again.events()[0]!.id), streamOf(seen), 'a new process has a new stream');
  await again.close();
});

test('HEAD answers the headers at once', async () => {
  const response = await fetch(events(), { method: 'HEAD', signal: AbortSignal.timeout(5000) });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
});
