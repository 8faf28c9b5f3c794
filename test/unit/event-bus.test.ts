/** The event bus's ids and replay buffer: what since() gives back, and when it cannot. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../src/server/events.js';

const jobEvent = (job: string) => ({ kind: 'job' as const, action: 'put' as const, job });

test('ids are <stream>:<n> from 1; since() gives the events after an id, oldest first', () => {
  const bus = new EventBus(3);
  assert.equal(bus.lastId, `${bus.stream}:0`);
  assert.deepEqual(bus.since(bus.lastId), []);
  for (const job of ['a', 'b']) bus.publish(jobEvent(job));
  assert.equal(bus.lastId, `${bus.stream}:2`);
  assert.deepEqual(bus.since(`${bus.stream}:0`), [
    { id: `${bus.stream}:1`, event: jobEvent('a') },
    { id: `${bus.stream}:2`, event: jobEvent('b') },
  ]);
  assert.deepEqual(bus.since(`${bus.stream}:2`), []);
});

test('since() is null for events no longer kept, ids from the future, other streams and garbage', () => {
  const bus = new EventBus(3);
  for (const job of ['a', 'b', 'c', 'd', 'e']) bus.publish(jobEvent(job));
  // Kept: 3, 4, 5. After 2 the whole rest is held; after 1, event 2 is gone.
  assert.deepEqual(bus.since(`${bus.stream}:2`)?.map((e) => e.id), [3, 4, 5].map((n) => `${bus.stream}:${n}`));
  assert.equal(bus.since(`${bus.stream}:1`), null);
  assert.equal(bus.since(`${bus.stream}:6`), null);
  assert.equal(bus.since(`${new EventBus().stream}:4`), null);
  for (const garbage of ['', '4', `${bus.stream}:`, `${bus.stream}:-1`, `${bus.stream}:1e3`, `x:${bus.stream}:4`]) assert.equal(bus.since(garbage), null, garbage);
});

test('each bus has its own stream; close() ends subscriptions', () => {
  const [one, two] = [new EventBus(), new EventBus()];
  assert.notEqual(one.stream, two.stream);
  let ended = 0;
  const got: string[] = [];
  one.subscribe((item) => got.push(item.id), () => ended++);
  one.publish(jobEvent('a'));
  one.close();
  one.publish(jobEvent('b'));
  assert.deepEqual(got, [`${one.stream}:1`]);
  assert.equal(ended, 1);
});
