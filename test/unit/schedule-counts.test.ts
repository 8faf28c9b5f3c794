/**
 * countPerSpan counts what next() lists, without listing: checked against next() for cron
 * patterns and ISO intervals, in zones with gaps and overlaps, under every DST rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSchedule, type DstRule, type Schedule } from '../../src/core/schedule/index.js';
import { at } from '../helpers/occurrences.js';

const MINUTE = 60_000;

function listedPerSpan(schedule: Schedule, from: number, width: number, spans: number): number[] {
  const counts = new Array<number>(spans).fill(0);
  const end = from + width * spans;
  for (let t = schedule.next(from - 1); t !== null && t < end; t = schedule.next(t)) counts[Math.floor((t - from) / width)]! += 1;
  return counts;
}

const PATTERNS = [
  '* * * * *',
  '*/15 * * * *',
  '30 2 * * *',
  '0,30 2,3 * * *',
  '*/7 1-3 * * *',
  '0 */30 * * * *',
  '*/20 * 2 * * *',
  '15 2 * * 0',
  '0 0 1 * *',
  '@hourly',
  '@daily',
  'R/2026-03-28T02:30:00/P1D',
  'R/2026-10-24T23:59:30Z/PT7M',
  'R5/2026-03-29T02:30:00/PT1H',
  'R/2026-01-31T02:30:00/P1M',
];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'];
const RULES: (DstRule | undefined)[] = [undefined, { gap: 'next', overlap: 'once' }, { gap: 'skip', overlap: 'twice' }, { gap: 'next', overlap: 'twice' }, { gap: 'skip', overlap: 'once' }];
// Windows around the 2026 transitions of these zones, and quiet days.
const STARTS = ['2026-03-28T20:00:00Z', '2026-10-24T20:00:00Z', '2026-03-08T00:00:00Z', '2026-11-01T00:00:00Z', '2026-04-04T12:00:00Z', '2026-10-03T12:00:00Z', '2026-06-15T00:00:00Z'];

test('countPerSpan equals counting next(): cron and ISO schedules through gaps and overlaps (fast-check)', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...PATTERNS),
      fc.constantFrom(...ZONES),
      fc.constantFrom(...RULES),
      fc.constantFrom(...STARTS),
      fc.integer({ min: -7200, max: 7200 }),
      fc.constantFrom(1, 5, 7, 15, 60, 90),
      fc.integer({ min: 1, max: 60 }),
      (expr, timezone, dst, start, shiftSeconds, widthMinutes, spans) => {
        const schedule = parseSchedule(expr, { timezone, dst });
        const from = at(start) + shiftSeconds * 1000;
        assert.deepEqual(schedule.countPerSpan(from, widthMinutes * MINUTE, spans), listedPerSpan(schedule, from, widthMinutes * MINUTE, spans));
      },
    ),
    { numRuns: 1000 },
  );
});

test('every second through the Berlin gap: each second of the 23-hour day once, 300 in each 5-minute span', () => {
  const schedule = parseSchedule('* * * * * *', { timezone: 'Europe/Berlin' });
  const counts = schedule.countPerSpan(at('2026-03-28T23:00:00Z'), 5 * MINUTE, 276);
  assert.deepEqual(new Set(counts), new Set([300]));
  assert.equal(counts.reduce((a, b) => a + b), 82_800);
});

test('an every-second job over a week costs about what an hourly one does', () => {
  const from = at('2026-03-25T00:00:00Z');
  const time = (expr: string) => {
    const schedule = parseSchedule(expr, { timezone: 'Europe/Berlin' });
    const started = performance.now();
    const total = schedule.countPerSpan(from, 5 * MINUTE, 2016).reduce((a, b) => a + b);
    return { total, ms: performance.now() - started };
  };
  time('@hourly'); // warm up
  const everySecond = time('* * * * * *');
  const hourly = time('@hourly');
  // An interval job keeps real time through the gap (see schedule-cron.test.ts).
  assert.equal(everySecond.total, 7 * 86_400);
  assert.equal(hourly.total, 7 * 24);
  assert.ok(everySecond.ms < 100, `every second over a week took ${everySecond.ms} ms`);
});

test('ISO every second from 2026, counted in 9000 without listing', () => {
  const schedule = parseSchedule('R/2026-01-01T00:00:00Z/PT1S', { timezone: 'UTC' });
  assert.deepEqual(schedule.countPerSpan(at('9000-01-01T00:00:00Z'), MINUTE, 3), [60, 60, 60]);
});
