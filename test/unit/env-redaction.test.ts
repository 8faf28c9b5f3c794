/**
 * Hidden env values: the `--redact` patterns, the spec as shown, and put-jobs keeping a
 * stored value when `***` comes back for it.
 *
 * Run: node --import tsx --test test/unit/env-redaction.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_ENV_REDACTION,
  envRedaction,
  HIDDEN_VALUE,
  isHiddenName,
  parseRedactPatterns,
  redactSpec,
  restoreHiddenValues,
} from '../../src/core/env-redaction.js';
import { FakeScheduler, ofType, spec } from '../helpers/fake-scheduler.js';

const parsed = (text: string) => {
  const result = parseRedactPatterns(text);
  assert.ok(result.ok, `"${text}" should parse`);
  return result.value;
};

test('the default patterns hide passwords, secrets, tokens and keys, in any case, anywhere in the name', () => {
  for (const name of ['DB_PASSWORD', 'password', 'PasswordFile', 'AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'token', 'API_KEY', 'KEY', 'monkey']) {
    assert.equal(isHiddenName(DEFAULT_ENV_REDACTION, name), true, name);
  }
  for (const name of ['PLAIN', 'PATH', 'REPORT_DIR', 'PASS', 'TOKE', 'K_E_Y']) {
    assert.equal(isHiddenName(DEFAULT_ENV_REDACTION, name), false, name);
  }
});

test('* stands for any run of characters, the empty run included; a pattern without * matches the whole name only', () => {
  const redaction = parsed('DB_*, *_PW ,EXACT,A*B');
  assert.deepEqual(redaction.patterns, ['DB_*', '*_PW', 'EXACT', 'A*B']);
  for (const name of ['DB_', 'DB_HOST', 'db_host', 'MY_PW', '_PW', 'EXACT', 'exact', 'AB', 'A_TO_B']) assert.equal(isHiddenName(redaction, name), true, name);
  for (const name of ['MY_DB_HOST', 'MY_PW_FILE', 'EXACTLY', 'NOT_EXACT', 'BA', 'A_B_C']) assert.equal(isHiddenName(redaction, name), false, name);
});

test('an empty --redact hides nothing; bad patterns are refused with a reason', () => {
  for (const text of ['', '  ']) {
    const redaction = parsed(text);
    assert.equal(redaction.matcher, null);
    assert.equal(isHiddenName(redaction, 'DB_PASSWORD'), false);
  }
  const refusals: [string, RegExp][] = [
    ['*KEY*,,*TOKEN*', /empty pattern/],
    ['*KEY*,', /empty pattern/],
    ['DB-PASS', /"DB-PASS" is not a pattern: use letters, digits, _ and \*/],
    ['*PASS WORD*', /"\*PASS WORD\*" is not a pattern/],
    ['(.*)', /not a pattern/],
    ['KEY?', /not a pattern/],
  ];
  for (const [text, message] of refusals) {
    const result = parseRedactPatterns(text);
    assert.equal(result.ok, false, text);
    assert.ok(!result.ok);
    assert.match(result.message, message);
  }
});

test('regular-expression characters never reach the matcher: only letters, digits, _ and * are patterns', () => {
  assert.equal(parseRedactPatterns('.*').ok, false);
  assert.equal(parseRedactPatterns('A|B').ok, false);
  assert.equal(isHiddenName(envRedaction(['*']), 'ANYTHING'), true);
});

test('the spec as shown: hidden values as ***, others as they are; the stored spec is untouched', () => {
  const stored = spec({ name: 'db', env: { DB_PASSWORD: 'hunter2', API_KEY: 'k-123', PLAIN: 'visible' } });
  const shown = redactSpec(stored, DEFAULT_ENV_REDACTION);
  assert.deepEqual(shown.env, { DB_PASSWORD: HIDDEN_VALUE, API_KEY: HIDDEN_VALUE, PLAIN: 'visible' });
  assert.deepEqual(stored.env, { DB_PASSWORD: 'hunter2', API_KEY: 'k-123', PLAIN: 'visible' });
  assert.equal(redactSpec(stored, envRedaction([])), stored, 'nothing hidden: the same spec');
  assert.equal(redactSpec(spec({ name: 'plain', env: { PLAIN: 'x' } }), DEFAULT_ENV_REDACTION).env.PLAIN, 'x');
});

test('restoring: *** of a hidden name takes the stored value; a missing one is named; *** of other names is a value', () => {
  const stored = spec({ name: 'db', env: { DB_PASSWORD: 'hunter2' } });
  const sent = spec({ name: 'db', env: { DB_PASSWORD: HIDDEN_VALUE, API_KEY: HIDDEN_VALUE, PLAIN: HIDDEN_VALUE } });
  const refused = restoreHiddenValues(sent, stored, DEFAULT_ENV_REDACTION, '[1].');
  assert.deepEqual(refused, { ok: false, errors: [{ field: '[1].env.API_KEY', message: '*** stands for a hidden value; give the real one' }] });

  const kept = restoreHiddenValues(spec({ name: 'db', env: { DB_PASSWORD: HIDDEN_VALUE, PLAIN: HIDDEN_VALUE } }), stored, DEFAULT_ENV_REDACTION);
  assert.ok(kept.ok);
  assert.deepEqual(kept.spec.env, { DB_PASSWORD: 'hunter2', PLAIN: HIDDEN_VALUE });
});

const fakeAt = (config = {}) => new FakeScheduler({ start: '2026-01-01T10:00:00.000Z', config, autoRun: () => ({ durationMs: 1_000 }) });
const launchedEnv = (fake: FakeScheduler) => ofType(fake.handled.flatMap((h) => h.effects), 'launch').at(-1)?.spec.env;

test('put-jobs: *** sent back for a hidden name keeps the stored value, and runs get it', () => {
  const fake = fakeAt();
  assert.ok(fake.putJobs(spec({ name: 'db', env: { DB_PASSWORD: 'hunter2', PLAIN: 'a' } })).ok);
  const put = fake.putJobs(spec({ name: 'db', description: 'changed', env: { DB_PASSWORD: HIDDEN_VALUE, PLAIN: 'b' } }));
  assert.ok(put.ok, JSON.stringify(put));
  assert.deepEqual(fake.store.jobs.get('db')!.spec.env, { DB_PASSWORD: 'hunter2', PLAIN: 'b' });
  assert.deepEqual(put.value[0]!.job.spec.env, { DB_PASSWORD: 'hunter2', PLAIN: 'b' }, 'the reply holds the stored spec; the API view hides it');

  assert.ok(fake.command({ kind: 'run-job', name: 'db' }).ok);
  fake.advanceTo('2026-01-01T10:00:01.000Z');
  assert.deepEqual(launchedEnv(fake), { DB_PASSWORD: 'hunter2', PLAIN: 'b' });

  const changed = fake.putJobs(spec({ name: 'db', env: { DB_PASSWORD: 'new-one' } }));
  assert.ok(changed.ok);
  assert.deepEqual(fake.store.jobs.get('db')!.spec.env, { DB_PASSWORD: 'new-one' }, 'a real value replaces the stored one');
});

test('put-jobs: *** for a hidden name the job does not have is a 400 naming env.NAME, and nothing of the list is stored', () => {
  const fake = fakeAt();
  const created = fake.putJobs(spec({ name: 'fresh', env: { API_KEY: HIDDEN_VALUE } }));
  assert.equal(created.ok, false);
  assert.ok(!created.ok);
  assert.equal(created.status, 400);
  assert.deepEqual(created.details, [{ field: 'env.API_KEY', message: '*** stands for a hidden value; give the real one' }]);
  assert.equal(fake.store.jobs.has('fresh'), false);

  assert.ok(fake.putJobs(spec({ name: 'db', env: { DB_PASSWORD: 'hunter2' } })).ok);
  const list = fake.putJobs(spec({ name: 'other', env: { PLAIN: 'x' } }), spec({ name: 'db', env: { DB_PASSWORD: HIDDEN_VALUE, DB_TOKEN: HIDDEN_VALUE } }));
  assert.ok(!list.ok);
  assert.deepEqual(list.details, [{ field: '[1].env.DB_TOKEN', message: '*** stands for a hidden value; give the real one' }]);
  assert.equal(fake.store.jobs.has('other'), false);
  assert.deepEqual(fake.store.jobs.get('db')!.spec.env, { DB_PASSWORD: 'hunter2' });
});

test('put-jobs: with redaction off, or for names no pattern matches, *** is an ordinary value', () => {
  const off = fakeAt({ envRedaction: envRedaction([]) });
  assert.ok(off.putJobs(spec({ name: 'db', env: { DB_PASSWORD: HIDDEN_VALUE } })).ok);
  assert.deepEqual(off.store.jobs.get('db')!.spec.env, { DB_PASSWORD: HIDDEN_VALUE });

  const custom = fakeAt({ envRedaction: envRedaction(['CONN_*']) });
  assert.ok(custom.putJobs(spec({ name: 'db', env: { CONN_URL: 'postgres://u:p@h/db', DB_PASSWORD: 'x' } })).ok);
  assert.ok(custom.putJobs(spec({ name: 'db', env: { CONN_URL: HIDDEN_VALUE, DB_PASSWORD: HIDDEN_VALUE } })).ok);
  assert.deepEqual(custom.store.jobs.get('db')!.spec.env, { CONN_URL: 'postgres://u:p@h/db', DB_PASSWORD: HIDDEN_VALUE });
});
