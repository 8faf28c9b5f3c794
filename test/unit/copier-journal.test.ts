import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CopierJournal } from '../../src/backends/local/copier-journal.js';

const ENTRY = { capBytes: 1024, marker: '[cut]' };

test('the journal gives a new copier the runs the last one took and had not finished; a line cut short by a crash is skipped', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'moroccron-journal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'journal');

  const first = CopierJournal.open(path);
  assert.equal(first.open.size, 0);
  first.journal.took(['a', 'b', 'c'], ENTRY);
  first.journal.took(['d'], { capBytes: 5, marker: 'other' });
  first.journal.finished('b', () => new Map());
  appendFileSync(path, '{"take":"half-writ'); // the copier died mid-write

  const second = CopierJournal.open(path);
  assert.deepEqual([...second.open], [['a', ENTRY], ['c', ENTRY], ['d', { capBytes: 5, marker: 'other' }]]);
  second.journal.finished('a', () => new Map());
  assert.deepEqual([...CopierJournal.open(path).open.keys()], ['c', 'd']);
});

test('a journal grown past 1 MiB is rewritten with the runs still open', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'moroccron-journal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'journal');
  const { journal } = CopierJournal.open(path);
  const open = new Map([['kept', ENTRY]]);
  journal.took(['kept'], ENTRY);
  for (let i = 0; i < 20_000; i++) {
    journal.took([`run-${i}`], ENTRY);
    journal.finished(`run-${i}`, () => open);
  }
  assert.ok(statSync(path).size < 1 << 20, `rewritten: ${statSync(path).size} bytes`);
  assert.deepEqual([...CopierJournal.open(path).open], [['kept', ENTRY]]);
});
