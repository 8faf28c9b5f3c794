import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule, type DstRule } from '../../src/core/schedule/index.js';
import { at, iso, runs } from '../helpers/occurrences.js';


const FIFTEEN_MINUTES = 15 * 60_000;
const gaps = (times: (string | null)[]) => times.slice(1).map((t, i) => at(t as string) - at(times[i] as string));

describe('cron expressions', () => {
  test('5 fields, in UTC', () => {
    assert.deepEqual(runs('*/15 * * * *', 'UTC', '2026-01-01T00:00:00Z', 3), [
      '2026-01-01T00:15:00.000Z',
      '2026-01-01T00:30:00.000Z',
      '2026-01-01T00:45:00.000Z',
    ]);
    assert.deepEqual(runs('0 9 * * 1-5', 'UTC', '2026-01-02T10:00:00Z', 2), [
      '2026-01-05T09:00:00.000Z',
      '2026-01-06T09:00:00.000Z',
    ]);
  });

  test('6 fields, seconds first', () => {
    assert.deepEqual(runs('*/20 * * * * *', 'UTC', '2026-01-01T00:00:00Z', 3), [
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:40.000Z',
      '2026-01-01T00:01:00.000Z',
    ]);
  });

  test('macros', () => {
    const from = '2026-01-01T12:00:00Z'; // a Thursday
    assert.deepEqual(runs('@hourly', 'UTC', from, 1), ['2026-01-01T13:00:00.000Z']);
    assert.deepEqual(runs('@daily', 'UTC', from, 1), ['2026-01-02T00:00:00.000Z']);
    assert.deepEqual(runs('@midnight', 'UTC', from, 1), ['2026-01-02T00:00:00.000Z']);
    assert.deepEqual(runs('@weekly', 'UTC', from, 1), ['2026-01-04T00:00:00.000Z']);
    assert.deepEqual(runs('@monthly', 'UTC', from, 1), ['2026-02-01T00:00:00.000Z']);
    assert.deepEqual(runs('@yearly', 'UTC', from, 1), ['2027-01-01T00:00:00.000Z']);
    assert.deepEqual(runs('@annually', 'UTC', from, 1), ['2027-01-01T00:00:00.000Z']);
    assert.deepEqual(runs('@daily', 'Europe/Berlin', from, 1), ['2026-01-01T23:00:00.000Z']);
  });

  test('next is strictly after, at whole seconds', () => {
    const everyMinute = parseSchedule('* * * * *', { timezone: 'UTC' });
    assert.equal(iso(everyMinute.next(at('2026-01-01T00:01:00Z'))), '2026-01-01T00:02:00.000Z');
    assert.equal(iso(everyMinute.next(at('2026-01-01T00:00:59.999Z'))), '2026-01-01T00:01:00.000Z');
    const everySecond = parseSchedule('* * * * * *', { timezone: 'Europe/Berlin' });
    assert.equal(iso(everySecond.next(at('2026-01-01T00:00:00Z'))), '2026-01-01T00:00:01.000Z');
    assert.equal(iso(everySecond.next(at('2026-01-01T00:00:00.500Z'))), '2026-01-01T00:00:01.000Z');
  });

  test('kind is cron', () => {
    assert.equal(parseSchedule('@daily', { timezone: 'UTC' }).kind, 'cron');
  });

  test('rare dates are found', () => {
    assert.deepEqual(runs('0 12 29 2 *', 'Europe/Berlin', '2026-01-01T00:00:00Z', 2), [
      '2028-02-29T11:00:00.000Z',
      '2032-02-29T11:00:00.000Z',
    ]);
  });
});

describe('bad cron expressions', () => {
  const rejects = (expr: string, why: RegExp) =>
    assert.throws(
      () => parseSchedule(expr, { timezone: 'UTC' }),
      (e: unknown) => e instanceof Error && e.message.startsWith(`"${expr}": `) && why.test(e.message) && !e.message.includes('\n'),
    );

  test('a value out of range', () => rejects('61 * * * *', /minute/));
  test('too few fields', () => rejects('* * *', /expected 5 cron fields .* got 3/));
  test('7 fields (years) are not supported', () => rejects('0 0 0 1 1 * 2027', /got 7/));
  test('garbage', () => {
    rejects('garbage', /got 1/);
    rejects('a b c d e', /./);
    rejects('', /got 0/);
  });
  test('an unknown macro', () => rejects('@reboot', /unknown macro/));
  test('a step of zero', () => rejects('*/0 * * * *', /step/));
  test('a date that never comes', () => rejects('0 0 30 2 *', /never matches/));
  test('an unknown time zone', () =>
    assert.throws(() => parseSchedule('* * * * *', { timezone: 'Mars/Olympus' }), /unknown time zone "Mars\/Olympus"/));
});

const NEXT_ONCE: DstRule = { gap: 'next', overlap: 'once' };
const SKIP_TWICE: DstRule = { gap: 'skip', overlap: 'twice' };
const SKIP_ONCE: DstRule = { gap: 'skip', overlap: 'once' };
const NEXT_TWICE: DstRule = { gap: 'next', overlap: 'twice' };

describe('Europe/Berlin: gap 02:00 -> 03:00 on 2026-03-29 (01:00Z)', () => {
  const from = '2026-03-28T12:00:00Z';
  test('gap next: 02:30 runs at 03:00 CEST', () => {
    assert.deepEqual(runs('30 2 * * *', 'Europe/Berlin', from, 2, NEXT_ONCE), [
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });
  test('gap skip: no run that day', () => {
    assert.deepEqual(runs('30 2 * * *', 'Europe/Berlin', from, 2, SKIP_ONCE), [
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
  });
  test('default for a fixed-time job is gap next', () => {
    assert.deepEqual(runs('30 2 * * *', 'Europe/Berlin', from, 2), ['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    assert.deepEqual(runs('0 0 2 * * *', 'Europe/Berlin', from, 1), ['2026-03-29T01:00:00.000Z']);
  });
  test('several times in the gap collapse into one run', () => {
    assert.deepEqual(runs('0,30 2,3 * * *', 'Europe/Berlin', from, 3, NEXT_ONCE), [
      '2026-03-29T01:00:00.000Z', // 02:00, 02:30 and 03:00 local
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:00:00.000Z',
    ]);
  });
  test('an interval job keeps 15 minutes of real time by default', () => {
    const times = runs('*/15 * * * *', 'Europe/Berlin', '2026-03-29T00:20:00Z', 6);
    assert.deepEqual(times, [
      '2026-03-29T00:30:00.000Z',
      '2026-03-29T00:45:00.000Z', // 01:45 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST
      '2026-03-29T01:15:00.000Z',
      '2026-03-29T01:30:00.000Z',
      '2026-03-29T01:45:00.000Z',
    ]);
  });
  test('every second through the gap', () => {
    assert.deepEqual(runs('* * * * * *', 'Europe/Berlin', '2026-03-29T00:59:58Z', 3), [
      '2026-03-29T00:59:59.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T01:00:01.000Z',
    ]);
  });
});

describe('Europe/Berlin: overlap 03:00 CEST -> 02:00 CET on 2026-10-25 (01:00Z)', () => {
  const from = '2026-10-24T12:00:00Z';
  test('overlap once: only the first 02:30', () => {
    assert.deepEqual(runs('30 2 * * *', 'Europe/Berlin', from, 2, NEXT_ONCE), [
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });
  test('overlap twice: both 02:30, one hour apart', () => {
    assert.deepEqual(runs('30 2 * * *', 'Europe/Berlin', from, 3, SKIP_TWICE), [
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T01:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });
  test('default for a fixed-time job is once', () => {
    assert.deepEqual(runs('30 2 * * *', 'Europe/Berlin', from, 2), ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });
  test('an interval job keeps 15 minutes of real time by default', () => {
    const times = runs('*/15 * * * *', 'Europe/Berlin', '2026-10-25T00:20:00Z', 10);
    assert.equal(times[0], '2026-10-25T00:30:00.000Z');
    assert.equal(times[9], '2026-10-25T02:45:00.000Z');
    assert.deepEqual(gaps(times), Array(9).fill(FIFTEEN_MINUTES));
  });
  test('an interval job with overlap once pauses for the repeated hour', () => {
    assert.deepEqual(runs('*/15 * * * *', 'Europe/Berlin', '2026-10-25T00:40:00Z', 2, SKIP_ONCE), [
      '2026-10-25T00:45:00.000Z', // 02:45 CEST
      '2026-10-25T02:00:00.000Z', // 03:00 CET
    ]);
    // Asked from inside the repeated hour, too.
    assert.deepEqual(runs('*/15 * * * *', 'Europe/Berlin', '2026-10-25T01:10:00Z', 1, SKIP_ONCE), ['2026-10-25T02:00:00.000Z']);
  });
  test('6 fields every 30 minutes through the overlap', () => {
    assert.deepEqual(runs('0 */30 * * * *', 'Europe/Berlin', '2026-10-24T23:50:00Z', 5), [
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T01:00:00.000Z', // 02:00 CET
      '2026-10-25T01:30:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ]);
  });
});

describe('America/New_York: 2026-03-08 gap, 2026-11-01 overlap', () => {
  test('02:30 in the gap: next -> 03:00 EDT, skip -> next day', () => {
    assert.deepEqual(runs('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 2, NEXT_ONCE), [
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
    assert.deepEqual(runs('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 1, SKIP_TWICE), [
      '2026-03-09T06:30:00.000Z',
    ]);
  });
  test('01:30 in the overlap: once or twice', () => {
    assert.deepEqual(runs('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 2, NEXT_ONCE), [
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
    assert.deepEqual(runs('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 3, NEXT_TWICE), [
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });
  test('02:30 exists once on the fall-back day', () => {
    assert.deepEqual(runs('30 2 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 1), ['2026-11-01T07:30:00.000Z']);
  });
  test('every 15 minutes keeps real time through both', () => {
    const spring = runs('*/15 * * * *', 'America/New_York', '2026-03-08T06:20:00Z', 6);
    assert.deepEqual(gaps(spring), Array(5).fill(FIFTEEN_MINUTES));
    assert.equal(spring[2], '2026-03-08T07:00:00.000Z'); // 03:00 EDT right after 01:45 EST
    const fall = runs('*/15 * * * *', 'America/New_York', '2026-11-01T05:20:00Z', 10);
    assert.deepEqual(gaps(fall), Array(9).fill(FIFTEEN_MINUTES));
  });
});

describe('other zones', () => {
  test('Australia/Lord_Howe: a 30-minute gap (02:00 -> 02:30 on 2026-10-04)', () => {
    assert.deepEqual(runs('15 2 * * *', 'Australia/Lord_Howe', '2026-10-02T12:00:00Z', 3), [
      '2026-10-02T15:45:00.000Z', // 02:15 +10:30
      '2026-10-03T15:30:00.000Z', // 02:30 +11:00, right after the gap
      '2026-10-04T15:15:00.000Z', // 02:15 +11:00
    ]);
    assert.deepEqual(runs('15 2 * * *', 'Australia/Lord_Howe', '2026-10-02T12:00:00Z', 2, SKIP_ONCE), [
      '2026-10-02T15:45:00.000Z',
      '2026-10-04T15:15:00.000Z',
    ]);
  });
  test('Australia/Lord_Howe: a 30-minute overlap (02:00 -> 01:30 on 2026-04-05)', () => {
    assert.deepEqual(runs('45 1 * * *', 'Australia/Lord_Howe', '2026-04-04T12:00:00Z', 2, NEXT_TWICE), [
      '2026-04-04T14:45:00.000Z', // 01:45 +11:00
      '2026-04-04T15:15:00.000Z', // 01:45 +10:30
    ]);
    assert.deepEqual(runs('45 1 * * *', 'Australia/Lord_Howe', '2026-04-04T12:00:00Z', 2), [
      '2026-04-04T14:45:00.000Z',
      '2026-04-05T15:15:00.000Z',
    ]);
  });
  test('Asia/Kolkata: +05:30, no DST', () => {
    assert.deepEqual(runs('30 9 * * *', 'Asia/Kolkata', '2026-03-28T12:00:00Z', 2), [
      '2026-03-29T04:00:00.000Z',
      '2026-03-30T04:00:00.000Z',
    ]);
    assert.deepEqual(runs('0 * * * *', 'Asia/Kolkata', '2026-03-28T12:00:00Z', 2), [
      '2026-03-28T12:30:00.000Z',
      '2026-03-28T13:30:00.000Z',
    ]);
  });
});
