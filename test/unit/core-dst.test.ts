/**
 * Daylight saving time through the whole loop: a Europe/Berlin job at 02:30 local time on
 * the days clocks spring forward (2026-03-29, 02:00 CET -> 03:00 CEST at 01:00Z) and fall
 * back (2026-10-25, 03:00 CEST -> 02:00 CET at 01:00Z).
 *
 * Run: node --import tsx --test test/unit/core-dst.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeScheduler, iso, spec } from '../helpers/fake-scheduler.js';

function firedBetween(from: string, to: string, dst: { gap: 'next' | 'skip'; overlap: 'once' | 'twice' }): string[] {
  const fake = new FakeScheduler({ start: from, autoRun: () => ({ durationMs: 60_000 }) });
  const put = fake.putJobs(spec({ name: 'half-past-two', schedule: '30 2 * * *', timezone: 'Europe/Berlin', dst }));
  assert.ok(put.ok, JSON.stringify(put));
  fake.advanceTo(to);
  const runs = fake.store.runsOf('half-past-two');
  assert.ok(runs.every((r) => r.status === 'succeeded'), JSON.stringify(runs.map((r) => [iso(r.scheduledAt), r.status, r.reason])));
  assert.equal(fake.launches.length, runs.length);
  return runs.map((r) => iso(r.scheduledAt));
}

test('DST gap, {gap: next}: 02:30 does not exist on 2026-03-29, the job runs at 03:00 CEST (01:00Z)', () => {
  assert.deepEqual(firedBetween('2026-03-28T12:00:00.000Z', '2026-03-30T12:00:00.000Z', { gap: 'next', overlap: 'once' }), [
    '2026-03-29T01:00:00.000Z', // 03:00 CEST, right after the gap
    '2026-03-30T00:30:00.000Z', // 02:30 CEST
  ]);
});

test('DST overlap, {overlap: once}: 02:30 happens twice on 2026-10-25, the job runs once', () => {
  assert.deepEqual(firedBetween('2026-10-24T12:00:00.000Z', '2026-10-26T12:00:00.000Z', { gap: 'next', overlap: 'once' }), [
    '2026-10-25T00:30:00.000Z', // 02:30 CEST, the first time
    '2026-10-26T01:30:00.000Z', // 02:30 CET
  ]);
});

test('DST overlap, {overlap: twice}: the job runs at both 02:30s on 2026-10-25', () => {
  assert.deepEqual(firedBetween('2026-10-24T12:00:00.000Z', '2026-10-26T12:00:00.000Z', { gap: 'next', overlap: 'twice' }), [
    '2026-10-25T00:30:00.000Z', // 02:30 CEST
    '2026-10-25T01:30:00.000Z', // 02:30 CET, an hour later
    '2026-10-26T01:30:00.000Z',
  ]);
});
