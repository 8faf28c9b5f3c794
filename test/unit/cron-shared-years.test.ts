import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cron, CronPattern } from 'croner';

// src/core/schedule/cron.ts shares one year table between parsed patterns by reaching into
// croner's state; this pins the shape it relies on, so a croner upgrade that moves it is noticed.
test('croner keeps the parsed pattern where the cron cache looks for it, with a full year table', () => {
  const cron = new Cron('30 2 * * *', { mode: '5-or-6-parts', utcOffset: 0 });
  const inner = (cron as unknown as { _states?: { pattern?: unknown } })._states?.pattern;
  assert.ok(inner instanceof CronPattern);
  assert.equal(inner.starYear, true);
  assert.equal(inner.isFixedTime, true);
  assert.equal(inner.year.length, 10_000);
  assert.ok(inner.year.every((allowed) => allowed === 1));
});
