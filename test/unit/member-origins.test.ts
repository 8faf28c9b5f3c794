import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterView } from '../../src/api/context.js';
import { memberOrigins } from '../../src/api/member-origins.js';

const view = (urls: string[]): ClusterView => ({
  self: { id: 'a', url: urls[0]! },
  isLeader: false,
  leader: { id: 'b', url: urls[1]! },
  epoch: 3,
  members: urls.map((url, i) => ({ id: String(i), url })),
  backend: 'local',
  store: 'etcd://127.0.0.1:2379/x',
});

test("the members' origins and the UI address's, looked up once per five seconds", async () => {
  let now = 0;
  let asked = 0;
  let urls = ['http://10.0.0.1:8080', 'https://cron-2.example.com:8443/'];
  const origins = memberOrigins(
    async () => {
      asked++;
      return view(urls);
    },
    'https://cron.example.com/ui',
    () => now,
  );
  assert.deepEqual(await origins.list(), ['http://10.0.0.1:8080', 'https://cron-2.example.com:8443', 'https://cron.example.com']);
  assert.equal(await origins.allows('https://cron-2.example.com:8443'), true);
  assert.equal(await origins.allows('https://cron-2.example.com'), false, 'another port is another origin');
  assert.equal(await origins.allows('http://elsewhere.invalid'), false);
  assert.equal(asked, 1);
  urls = ['http://10.0.0.1:8080', 'http://10.0.0.3:8080'];
  now = 5_001;
  assert.equal(await origins.allows('http://10.0.0.3:8080'), true, 'a new member is allowed once the cache expires');
  assert.equal(asked, 2);
});

test('with the store unreachable only the UI address is allowed, and the next request asks again', async () => {
  let fail = true;
  let asked = 0;
  const origins = memberOrigins(
    async () => {
      asked++;
      if (fail) throw new Error('store down');
      return view(['http://10.0.0.1:8080', 'http://10.0.0.2:8080']);
    },
    'https://cron.example.com',
    () => 0,
  );
  assert.deepEqual(await origins.list(), ['https://cron.example.com']);
  fail = false;
  assert.equal(await origins.allows('http://10.0.0.2:8080'), true);
  assert.equal(asked, 2);
});
