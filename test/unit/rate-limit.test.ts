/** --rate-limit values, and whose budget a request spends. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RATE_LIMIT, parseRateLimit, rateLimitKey } from '../../src/api/rate-limit.js';
import { SERVE_FLAGS } from '../../src/cli/serve.js';

test('serve limits each client to 600 requests a minute unless told otherwise', () => {
  assert.equal(SERVE_FLAGS['rate-limit'].default, DEFAULT_RATE_LIMIT);
  assert.deepEqual(parseRateLimit(DEFAULT_RATE_LIMIT), { ok: true, value: { max: 600, windowMs: 60_000 } });
});

test('a limit is requests per duration, or 0 for none', () => {
  assert.deepEqual(parseRateLimit('600/1m'), { ok: true, value: { max: 600, windowMs: 60_000 } });
  assert.deepEqual(parseRateLimit(' 30 / 10s '), { ok: true, value: { max: 30, windowMs: 10_000 } });
  assert.deepEqual(parseRateLimit('100/PT1H'), { ok: true, value: { max: 100, windowMs: 3_600_000 } });
  assert.deepEqual(parseRateLimit('0'), { ok: true, value: null });
  for (const bad of ['', '600', '0/1m', '1.5/1m', '600/0.5s', '600/', '/1m', 'x/1m', '600/forever', '99999999999999999999/1m']) {
    const parsed = parseRateLimit(bad);
    assert.equal(parsed.ok, false, bad);
    assert.match(parsed.ok ? '' : parsed.message, /^must be requests per duration such as 600\/1m/);
  }
});

test("a request spends its verified token's budget, or its address's", () => {
  const verified = new Map([['Bearer mcr_0123456789ab_verified', '0123456789ab']]);
  const vouch = (request: { headers: { authorization?: string } }) => verified.get(request.headers.authorization ?? '') ?? null;
  const key = (authorization?: string) => rateLimitKey({ ip: '10.1.2.3', headers: authorization === undefined ? {} : { authorization } }, vouch);
  assert.equal(key('Bearer mcr_0123456789ab_verified'), 'token:0123456789ab');
  assert.equal(key(), 'ip:10.1.2.3');
  // A token this member has not verified (made up, or not seen yet) earns no budget of its own.
  for (const header of ['Bearer mcr_0123456789ab_another-secret', 'Bearer mcr_ffffffffffff_made-up', 'Basic dXNlcjpwYXNz', 'Bearer abc']) {
    assert.equal(key(header), 'ip:10.1.2.3', header);
  }
});
