import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  instantsAt,
  isValidTimeZone,
  offsetAt,
  segmentAt,
  transitionsIn,
  wallClockAt,
  wallClockOf,
  wallClockToInstant,
} from '../../src/core/schedule/time-zone.js';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
/** A wall-clock time written like an ISO string without offset. */
const wall = (local: string) => Date.parse(`${local}Z`);
const isoList = (instants: number[]) => instants.map((t) => new Date(t).toISOString());

describe('isValidTimeZone', () => {
  test('accepts IANA names', () => {
    for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe']) {
      assert.equal(isValidTimeZone(tz), true, tz);
    }
  });
  test('rejects unknown names and the empty string', () => {
    for (const tz of ['Mars/Olympus', '', 'Europe/Berlinn', 'not a zone']) assert.equal(isValidTimeZone(tz), false, tz);
  });
});

describe('offsetAt', () => {
  test('Europe/Berlin is +01:00 in winter and +02:00 in summer', () => {
    assert.equal(offsetAt('Europe/Berlin', at('2026-01-15T12:00:00Z')), HOUR);
    assert.equal(offsetAt('Europe/Berlin', at('2026-07-15T12:00:00Z')), 2 * HOUR);
  });
  test('changes exactly at the transition instant', () => {
    assert.equal(offsetAt('Europe/Berlin', at('2026-03-29T00:59:59Z')), HOUR);
    assert.equal(offsetAt('Europe/Berlin', at('2026-03-29T01:00:00Z')), 2 * HOUR);
    assert.equal(offsetAt('Europe/Berlin', at('2026-10-25T00:59:59Z')), 2 * HOUR);
    assert.equal(offsetAt('Europe/Berlin', at('2026-10-25T01:00:00Z')), HOUR);
  });
  test('Asia/Kolkata is +05:30 all year, UTC is 0', () => {
    for (const iso of ['2026-01-15T12:00:00Z', '2026-07-15T12:00:00Z']) {
      assert.equal(offsetAt('Asia/Kolkata', at(iso)), 5.5 * HOUR);
      assert.equal(offsetAt('UTC', at(iso)), 0);
    }
  });
  test('Australia/Lord_Howe shifts by 30 minutes', () => {
    assert.equal(offsetAt('Australia/Lord_Howe', at('2026-07-01T00:00:00Z')), 10.5 * HOUR);
    assert.equal(offsetAt('Australia/Lord_Howe', at('2026-12-01T00:00:00Z')), 11 * HOUR);
  });
  test('wallClockAt adds the offset', () => {
    assert.equal(wallClockAt('America/New_York', at('2026-07-04T16:00:00Z')), wall('2026-07-04T12:00:00'));
  });
});

describe('transitions', () => {
  test('Europe/Berlin 2026 has two, to the second', () => {
    assert.deepEqual(transitionsIn('Europe/Berlin', 2026), [
      { at: at('2026-03-29T01:00:00Z'), before: HOUR, after: 2 * HOUR },
      { at: at('2026-10-25T01:00:00Z'), before: 2 * HOUR, after: HOUR },
    ]);
  });
  test('a zone without DST has none', () => {
    assert.deepEqual(transitionsIn('Asia/Kolkata', 2026), []);
    assert.deepEqual(transitionsIn('UTC', 2026), []);
  });
  test('segmentAt gives the stretch of constant offset around an instant', () => {
    assert.deepEqual(segmentAt('Europe/Berlin', at('2026-06-01T00:00:00Z')), {
      start: at('2026-03-29T01:00:00Z'),
      end: at('2026-10-25T01:00:00Z'),
      offset: 2 * HOUR,
      offsetBefore: HOUR,
    });
  });
});

describe('wall clock to instants', () => {
  test('a normal local time has one instant', () => {
    assert.deepEqual(isoList(instantsAt('Europe/Berlin', wall('2026-06-01T12:00:00'))), ['2026-06-01T10:00:00.000Z']);
    assert.deepEqual(isoList(instantsAt('Asia/Kolkata', wall('2026-06-01T12:00:00'))), ['2026-06-01T06:30:00.000Z']);
  });
  test('a local time in the spring-forward gap has none', () => {
    assert.deepEqual(instantsAt('Europe/Berlin', wall('2026-03-29T02:30:00')), []);
    assert.deepEqual(instantsAt('America/New_York', wall('2026-03-08T02:30:00')), []);
  });
  test('a local time in the fall-back overlap has two, earlier first', () => {
    assert.deepEqual(isoList(instantsAt('Europe/Berlin', wall('2026-10-25T02:30:00'))), [
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T01:30:00.000Z',
    ]);
    assert.deepEqual(isoList(instantsAt('America/New_York', wall('2026-11-01T01:30:00'))), [
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
    ]);
  });
  test('the edges of gap and overlap', () => {
    assert.deepEqual(instantsAt('Europe/Berlin', wall('2026-03-29T02:00:00')), []);
    assert.deepEqual(isoList(instantsAt('Europe/Berlin', wall('2026-03-29T03:00:00'))), ['2026-03-29T01:00:00.000Z']);
    assert.deepEqual(isoList(instantsAt('Europe/Berlin', wall('2026-10-25T03:00:00'))), ['2026-10-25T02:00:00.000Z']);
  });
  test('wallClockToInstant: gap -> end of the gap or null, overlap -> earlier', () => {
    assert.equal(wallClockToInstant('Europe/Berlin', wall('2026-03-29T02:30:00'), 'next'), at('2026-03-29T01:00:00Z'));
    assert.equal(wallClockToInstant('Europe/Berlin', wall('2026-03-29T02:30:00'), 'skip'), null);
    assert.equal(wallClockToInstant('Europe/Berlin', wall('2026-10-25T02:30:00'), 'skip'), at('2026-10-25T00:30:00Z'));
    assert.equal(wallClockToInstant('Australia/Lord_Howe', wall('2026-10-04T02:15:00'), 'next'), at('2026-10-03T15:30:00Z'));
  });
});

test('wallClockOf handles years below 100', () => {
  assert.equal(new Date(wallClockOf(50, 1, 28, 12)).toISOString(), '0050-02-28T12:00:00.000Z');
  assert.equal(wallClockOf(2026, 2, 29, 2, 30), wall('2026-03-29T02:30:00'));
});
