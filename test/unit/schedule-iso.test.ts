import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule } from '../../src/core/schedule/index.js';
import { at, iso, runs } from '../helpers/occurrences.js';


describe('exact durations', () => {
  test('R/start/PT1H: the first at start, then every hour', () => {
    assert.deepEqual(runs('R/2026-01-01T00:00:00Z/PT1H', 'UTC', '2025-06-01T00:00:00Z', 3), [
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
    ]);
    assert.equal(parseSchedule('R/2026-01-01T00:00:00Z/PT1H', { timezone: 'UTC' }).kind, 'iso');
  });
  test('strictly after', () => {
    const s = parseSchedule('R/2026-01-01T00:00:00Z/PT1H', { timezone: 'UTC' });
    assert.equal(iso(s.next(at('2026-01-01T00:00:00Z'))), '2026-01-01T01:00:00.000Z');
    assert.equal(iso(s.next(at('2026-01-01T00:59:59.999Z'))), '2026-01-01T01:00:00.000Z');
  });
  test('Rn: exactly n occurrences', () => {
    assert.deepEqual(runs('R5/2026-01-01T00:00:00Z/PT1H', 'UTC', '2025-06-01T00:00:00Z', 10), [
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T03:00:00.000Z',
      '2026-01-01T04:00:00.000Z',
      null,
    ]);
    assert.equal(parseSchedule('R5/2026-01-01T00:00:00Z/PT1H', { timezone: 'UTC' }).next(at('2030-01-01T00:00:00Z')), null);
  });
  test('R0: none', () => {
    assert.deepEqual(runs('R0/2026-01-01T00:00:00Z/PT1H', 'UTC', '2025-06-01T00:00:00Z', 3), [null]);
  });
  test('hours are elapsed time across DST', () => {
    assert.deepEqual(runs('R/2026-03-29T01:30:00+01:00/PT1H', 'Europe/Berlin', '2026-03-28T00:00:00Z', 3), [
      '2026-03-29T00:30:00.000Z', // 01:30 CET
      '2026-03-29T01:30:00.000Z', // 03:30 CEST
      '2026-03-29T02:30:00.000Z',
    ]);
  });
  test('mixed units: P1DT1H moves the wall clock a day, then adds an hour', () => {
    assert.deepEqual(runs('R/2026-01-01T00:00:00+05:30/P1DT1H', 'Asia/Kolkata', '2025-12-01T00:00:00Z', 3), [
      '2025-12-31T18:30:00.000Z',
      '2026-01-01T19:30:00.000Z',
      '2026-01-02T20:30:00.000Z',
    ]);
  });
});

describe('far-future questions are answered without counting from the start', () => {
  test('hourly from 2026, asked in 2030', () => {
    assert.deepEqual(runs('R/2026-01-01T00:00:00Z/PT1H', 'UTC', '2030-06-01T12:34:56.789Z', 2), [
      '2030-06-01T13:00:00.000Z',
      '2030-06-01T14:00:00.000Z',
    ]);
  });
  test('every second from 2026, asked in 9000 (about 2e11 occurrences in)', () => {
    assert.deepEqual(runs('R/2026-01-01T00:00:00Z/PT1S', 'UTC', '9000-06-01T12:34:56.500Z', 1), ['9000-06-01T12:34:57.000Z']);
  });
  test('daily on the wall clock from 2026, asked in 9000: only the asked year is looked at', () => {
    const schedule = parseSchedule('R/2026-01-01T09:00:00/P1D', { timezone: 'Europe/Paris' });
    const formatToParts = Intl.DateTimeFormat.prototype.formatToParts;
    let calls = 0;
    Intl.DateTimeFormat.prototype.formatToParts = function (this: Intl.DateTimeFormat, date?: Date | number) {
      calls++;
      return formatToParts.call(this, date);
    };
    try {
      assert.equal(iso(schedule.next(at('9000-06-01T12:00:00Z'))), '9000-06-02T07:00:00.000Z');
    } finally {
      Intl.DateTimeFormat.prototype.formatToParts = formatToParts;
    }
    // One year's transitions cost about 400 look-ups; walking from 2026 would cost millions.
    assert.ok(calls < 1500, `${calls} look-ups`);
  });
  test('monthly from 2026, asked in 2400', () => {
    assert.deepEqual(runs('R/2026-01-31T12:00:00Z/P1M', 'UTC', '2400-02-01T00:00:00Z', 2), [
      '2400-02-29T12:00:00.000Z',
      '2400-03-31T12:00:00.000Z',
    ]);
  });
});

describe('calendar durations on the wall clock', () => {
  test('P1D keeps 02:30 local across DST in Europe/Berlin; the gap day follows the gap rule', () => {
    assert.deepEqual(runs('R/2026-03-27T02:30:00/P1D', 'Europe/Berlin', '2026-01-01T00:00:00Z', 4), [
      '2026-03-27T01:30:00.000Z', // 02:30 CET
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z', // 02:30 does not exist: 03:00 CEST
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
    assert.deepEqual(runs('R/2026-03-27T02:30:00/P1D', 'Europe/Berlin', '2026-01-01T00:00:00Z', 3, { gap: 'skip', overlap: 'once' }), [
      '2026-03-27T01:30:00.000Z',
      '2026-03-28T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });
  test('P1D through the overlap runs once, at the earlier 02:30', () => {
    assert.deepEqual(runs('R/2026-10-24T02:30:00/P1D', 'Europe/Berlin', '2026-01-01T00:00:00Z', 3), [
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });
  test('P1M clamps to the end of the month, counted from the start', () => {
    assert.deepEqual(runs('R/2026-01-31T10:00:00Z/P1M', 'UTC', '2026-01-01T00:00:00Z', 4), [
      '2026-01-31T10:00:00.000Z',
      '2026-02-28T10:00:00.000Z',
      '2026-03-31T10:00:00.000Z',
      '2026-04-30T10:00:00.000Z',
    ]);
  });
  test('P1Y from Feb 29', () => {
    assert.deepEqual(runs('R/2028-02-29T00:00:00Z/P1Y', 'UTC', '2028-03-01T00:00:00Z', 4), [
      '2029-02-28T00:00:00.000Z',
      '2030-02-28T00:00:00.000Z',
      '2031-02-28T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ]);
  });
  test('P1W', () => {
    assert.deepEqual(runs('R3/2026-01-05T08:00:00/P1W', 'America/New_York', '2026-01-01T00:00:00Z', 4), [
      '2026-01-05T13:00:00.000Z',
      '2026-01-12T13:00:00.000Z',
      '2026-01-19T13:00:00.000Z',
      null,
    ]);
  });
});

describe('start times', () => {
  test('without an offset, the start is local time in the job zone', () => {
    assert.deepEqual(runs('R/2026-07-01T09:00:00/PT12H', 'Europe/Berlin', '2026-06-01T00:00:00Z', 2), [
      '2026-07-01T07:00:00.000Z',
      '2026-07-01T19:00:00.000Z',
    ]);
    assert.deepEqual(runs('R/2026-07-01/P1D', 'Asia/Kolkata', '2026-06-01T00:00:00Z', 1), ['2026-06-30T18:30:00.000Z']);
  });
  test('with an offset or Z, the start is that instant', () => {
    assert.deepEqual(runs('R/2026-07-01T09:00:00-04:00/PT12H', 'Europe/Berlin', '2026-06-01T00:00:00Z', 1), [
      '2026-07-01T13:00:00.000Z',
    ]);
    assert.deepEqual(runs('R/2026-07-01T09:00:00.250Z/PT1S', 'UTC', '2026-06-01T00:00:00Z', 2), [
      '2026-07-01T09:00:00.250Z',
      '2026-07-01T09:00:01.250Z',
    ]);
  });
  test('a local start in the overlap takes the earlier instant', () => {
    assert.deepEqual(runs('R/2026-10-25T02:30:00/PT1H', 'Europe/Berlin', '2026-10-01T00:00:00Z', 2), [
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T01:30:00.000Z',
    ]);
  });
  test('a local start in the gap follows the gap rule', () => {
    assert.deepEqual(runs('R/2026-03-29T02:30:00/PT1H', 'Europe/Berlin', '2026-03-01T00:00:00Z', 2), [
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T02:00:00.000Z',
    ]);
    assert.deepEqual(runs('R/2026-03-29T02:30:00/PT1H', 'Europe/Berlin', '2026-03-01T00:00:00Z', 1, { gap: 'skip', overlap: 'once' }), [
      '2026-03-29T02:00:00.000Z',
    ]);
  });
});

describe('bad ISO intervals', () => {
  const rejects = (expr: string, why: RegExp) =>
    assert.throws(
      () => parseSchedule(expr, { timezone: 'UTC' }),
      (e: unknown) => e instanceof Error && e.message.startsWith(`"${expr}": `) && why.test(e.message),
    );
  test('zero duration', () => {
    rejects('R/2026-01-01T00:00:00Z/PT0S', /zero/);
    rejects('R/2026-01-01T00:00:00Z/P0D', /zero/);
  });
  test('negative or sub-second duration', () => {
    rejects('R/2026-01-01T00:00:00Z/-PT1H', /negative/);
    rejects('R/2026-01-01T00:00:00Z/PT0.5S', /shorter than a second/);
  });
  test('not a duration', () => {
    rejects('R/2026-01-01T00:00:00Z/PT1X', /not an ISO 8601 duration/);
    rejects('R/2026-01-01T00:00:00Z/P', /not an ISO 8601 duration/);
    rejects('R/2026-01-01T00:00:00Z/P1DX', /not an ISO 8601 duration/);
  });
  test('bad start', () => {
    rejects('R/2026-02-30T00:00:00Z/PT1H', /start "2026-02-30T00:00:00Z"/);
    rejects('R/2026-01-01T25:00:00Z/PT1H', /start/);
    rejects('R/tomorrow/PT1H', /start "tomorrow"/);
    rejects('R/2026-01-01T00:00:00+25:00/PT1H', /start/);
  });
  test('start/end and duration/end forms', () => {
    rejects('R/2026-01-01T00:00:00Z/2026-02-01T00:00:00Z', /<start>\/<end> is not supported/);
    rejects('R/PT1H/2026-02-01T00:00:00Z', /<duration>\/<end> is not supported/);
  });
  test('wrong shape', () => {
    rejects('R/2026-01-01T00:00:00Z', /expected R\[n\]\/<start>\/<duration>/);
    rejects('R-1/2026-01-01T00:00:00Z/PT1H', /whole number/);
  });
});
