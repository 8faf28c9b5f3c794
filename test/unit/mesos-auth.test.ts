/**
 * Mesos framework authentication, the pure parts: the Basic header, which credentials can
 * never work, the principal in FrameworkInfo, the reducer's answer to a 401, and the sim's
 * reading of the header as libprocess reads it. Over HTTP: test/e2e/mesos-auth.test.ts.
 *
 * Run: node --import tsx --test test/unit/mesos-auth.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorizationHeaders, basicAuthorization, credentialsProblem } from '../../src/mesos/client/index.js';
import { FrameworkRunner, UNAUTHORIZED_LOG_INTERVAL_MS, buildFrameworkInfo, configProblem, frameworkInfo } from '../../src/mesos/framework/index.js';
import { authenticatedPrincipal, credentialTable } from '../../src/mesos/sim/authentication.js';
import { principalMismatch, validateCall } from '../../src/mesos/sim/call-validation.js';
import type { Call } from '../../src/mesos/types.js';
import { T0, only, run, setup, subscribed } from '../helpers/framework-harness.js';

const CREDENTIALS = { principal: 'moroccron', secret: 's3cret' };

test('the Authorization header is Basic base64(principal:secret), UTF-8; no credentials, no header', () => {
  assert.equal(basicAuthorization(CREDENTIALS), 'Basic bW9yb2Njcm9uOnMzY3JldA==');
  assert.equal(Buffer.from(basicAuthorization({ principal: 'ops', secret: 'pässwörd' }).slice(6), 'base64').toString('utf8'), 'ops:pässwörd');
  assert.deepEqual(authorizationHeaders(CREDENTIALS), { Authorization: 'Basic bW9yb2Njcm9uOnMzY3JldA==' });
  assert.deepEqual(authorizationHeaders(undefined), {});
});

test("credentials that can never authenticate are named: empty parts, or a ':' (libprocess splits on every one)", () => {
  assert.equal(credentialsProblem(CREDENTIALS), undefined);
  assert.match(credentialsProblem({ principal: '', secret: 's' }) ?? '', /principal is empty/);
  assert.match(credentialsProblem({ principal: 'a:b', secret: 's' }) ?? '', /principal contains ':'/);
  assert.match(credentialsProblem({ principal: 'p', secret: '' }) ?? '', /secret is empty/);
  assert.match(credentialsProblem({ principal: 'p', secret: 'x:y' }) ?? '', /secret contains ':'/);
  assert.ok(!(credentialsProblem({ principal: 'p', secret: 'x:y' }) ?? '').includes('x:y'), 'the secret is not repeated');
});

test("FrameworkInfo.principal is the credentials' principal, unless the config names one; a config naming another is refused", () => {
  const base = { user: 'u', name: 'n', roles: ['cron'], isOurs: () => true };
  assert.equal(buildFrameworkInfo({ ...base, credentials: CREDENTIALS }, null).principal, 'moroccron');
  assert.equal(buildFrameworkInfo({ ...base, principal: 'moroccron', credentials: CREDENTIALS }, null).principal, 'moroccron');
  assert.equal('principal' in buildFrameworkInfo(base, null), false);
  assert.ok(!JSON.stringify(buildFrameworkInfo({ ...base, credentials: CREDENTIALS }, null)).includes('s3cret'), 'the secret is not in FrameworkInfo');
  assert.equal(frameworkInfo(setup({ credentials: CREDENTIALS })).principal, 'moroccron');

  const mismatch = { ...base, principal: 'other', credentials: CREDENTIALS };
  assert.match(configProblem(mismatch) ?? '', /principal 'other' differs from the credentials' principal 'moroccron'/);
  assert.throws(() => new FrameworkRunner({ masters: 'http://127.0.0.1:1', config: mismatch, persistFrameworkId: async () => {} }), TypeError);
});

test('a 401 is an error, logged at most once a minute while it lasts, never a stop; a subscription resets it', () => {
  const s = setup({ credentials: CREDENTIALS });
  const unauthorized = (now: number) =>
    run(s, { type: 'master-error', message: "master http://m:5050 answered SUBSCRIBE with 401 Unauthorized: it did not accept the credentials of principal 'moroccron'", fatal: false, status: 401, now });
  const levels = (now: number) => {
    const effects = unauthorized(now);
    assert.deepEqual(only(effects, 'stop'), []);
    return only(effects, 'log').map((l) => l.level);
  };
  const first = only(unauthorized(T0), 'log');
  assert.equal(first.length, 1);
  assert.equal(first[0]!.level, 'error');
  assert.match(first[0]!.message, /principal 'moroccron'.*http:\/\/m:5050|http:\/\/m:5050.*principal 'moroccron'/);
  assert.match(first[0]!.message, /retrying with backoff/);
  assert.deepEqual(levels(T0 + 1_000), ['debug']);
  assert.deepEqual(levels(T0 + UNAUTHORIZED_LOG_INTERVAL_MS - 1), ['debug']);
  assert.deepEqual(levels(T0 + UNAUTHORIZED_LOG_INTERVAL_MS), ['error']);
  assert.deepEqual(levels(T0 + UNAUTHORIZED_LOG_INTERVAL_MS + 1), ['debug']);

  subscribed(s, T0 + UNAUTHORIZED_LOG_INTERVAL_MS + 2);
  run(s, { type: 'disconnected', reason: 'eof', now: T0 + UNAUTHORIZED_LOG_INTERVAL_MS + 3 });
  assert.deepEqual(levels(T0 + UNAUTHORIZED_LOG_INTERVAL_MS + 4), ['error'], 'after a subscription the next 401 is news again');
});

test('the sim reads Authorization as libprocess does: exactly "Basic <base64>", two parts split on ":", a known principal and its secret', () => {
  const table = credentialTable([CREDENTIALS]);
  const header = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
  assert.equal(authenticatedPrincipal(basicAuthorization(CREDENTIALS), table), 'moroccron');
  assert.equal(authenticatedPrincipal(undefined, table), undefined);
  assert.equal(authenticatedPrincipal(header('moroccron:wrong'), table), undefined);
  assert.equal(authenticatedPrincipal(header('nobody:s3cret'), table), undefined);
  assert.equal(authenticatedPrincipal(header('moroccron:s3cret:extra'), table), undefined);
  assert.equal(authenticatedPrincipal(header('moroccron'), table), undefined);
  assert.equal(authenticatedPrincipal(`basic ${header('moroccron:s3cret').slice(6)}`, table), undefined, 'the scheme is case-sensitive');
  assert.equal(authenticatedPrincipal(`Basic  ${header('moroccron:s3cret').slice(6)}`, table), undefined, 'two spaces make three parts');
  assert.equal(authenticatedPrincipal('Basic !!!', table), undefined);
  assert.equal(authenticatedPrincipal(`Bearer ${header('moroccron:s3cret').slice(6)}`, table), undefined);
});

test('the sim refuses a SUBSCRIBE whose FrameworkInfo names another principal than the authenticated one (call validation)', () => {
  const subscribe = (principal?: string): Call & Record<string, unknown> => ({
    type: 'SUBSCRIBE',
    subscribe: { framework_info: { user: 'u', name: 'n', ...(principal !== undefined ? { principal } : {}) } },
  });
  assert.equal(validateCall(subscribe('other'), 'moroccron'), principalMismatch('moroccron', 'other'));
  assert.equal(principalMismatch('moroccron', 'other'), "Authenticated principal 'moroccron' does not match principal 'other' set in `FrameworkInfo`");
  assert.equal(validateCall(subscribe('moroccron'), 'moroccron'), undefined);
  assert.equal(validateCall(subscribe(), 'moroccron'), undefined, 'no principal in FrameworkInfo: the master fills it in');
  assert.equal(validateCall(subscribe('other')), undefined, 'without authentication the principal is not checked');
});
