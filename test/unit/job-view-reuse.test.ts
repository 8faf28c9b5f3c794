/**
 * A job's API view is made once per (frozen job, live state, redaction) and its JSON text once
 * (src/api/views.ts, src/api/json-once.ts): the same answer as making it every time, and a new
 * one as soon as anything it shows changes.
 *
 * Run: node --import tsx --test --test-reporter=spec test/unit/job-view-reuse.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ENV_REDACTION, envRedaction } from '../../src/core/env-redaction.js';
import type { StoredJob } from '../../src/core/types.js';
import { keptJsonOf } from '../../src/api/json-once.js';
import { jobView } from '../../src/api/views.js';
import { deepFreeze } from '../../src/lib/deep-freeze.js';
import { spec } from '../helpers/store-fixtures.js';

const job = (): StoredJob => ({
  spec: spec('reused', { env: { DB_PASSWORD: 'hunter2', REGION: 'eu' } }),
  cursor: 60_000,
  createdAt: 1,
  updatedAt: 2,
  progress: { lastSuccess: null, lastOutcome: null, consumed: {} },
});
const live = { nextDue: 120_000, activeRuns: ['run-1'] };

test('a frozen job: the same view while nothing it shows changes, equal to one made afresh, with its JSON text kept', () => {
  const frozen = deepFreeze(job());
  const first = jobView(frozen, { ...live, activeRuns: [...live.activeRuns] }, DEFAULT_ENV_REDACTION);
  assert.deepEqual(first, jobView(job(), live, DEFAULT_ENV_REDACTION));
  assert.equal(first.env.DB_PASSWORD, '***');
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.state));
  // The live state comes as a new copy on every request.
  assert.equal(jobView(frozen, { ...live, activeRuns: [...live.activeRuns] }, DEFAULT_ENV_REDACTION), first);
  assert.equal(keptJsonOf(first), JSON.stringify(first));
  assert.equal(keptJsonOf(first), keptJsonOf(first));
});

test('a frozen job: a new view when the live state or the redaction changes', () => {
  const frozen = deepFreeze(job());
  const before = jobView(frozen, live, DEFAULT_ENV_REDACTION);
  const later = jobView(frozen, { nextDue: 180_000, activeRuns: ['run-1'] }, DEFAULT_ENV_REDACTION);
  assert.equal(later.state.nextRunAt, new Date(180_000).toISOString());
  const ended = jobView(frozen, { nextDue: 180_000, activeRuns: [] }, DEFAULT_ENV_REDACTION);
  assert.deepEqual(ended.state.activeRuns, []);
  const another = jobView(frozen, { nextDue: 180_000, activeRuns: ['run-2'] }, DEFAULT_ENV_REDACTION);
  assert.deepEqual(another.state.activeRuns, ['run-2']);
  const standby = jobView(frozen, null, DEFAULT_ENV_REDACTION);
  assert.equal(standby.state.nextRunAt, null);
  const nothingHidden = jobView(frozen, null, envRedaction([]));
  assert.equal(nothingHidden.env.DB_PASSWORD, 'hunter2');
  assert.notEqual(before, later);
  assert.equal(keptJsonOf(standby), JSON.stringify(standby));
});

test('a job that can still change is rendered every time, and no JSON text is kept for it', () => {
  const changing = job();
  const first = jobView(changing, live, DEFAULT_ENV_REDACTION);
  changing.spec.env.REGION = 'us';
  const second = jobView(changing, live, DEFAULT_ENV_REDACTION);
  assert.equal(second.env.REGION, 'us');
  assert.equal(keptJsonOf(first), undefined);
  assert.equal(keptJsonOf({ plain: 'object' }), undefined);
});
