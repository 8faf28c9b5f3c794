import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FifoPool } from '../../src/backends/local/fifo-pool.js';
import { findHostTools } from '../../src/backends/local/host-tools.js';

test('FIFOs are made in batches ahead and moved into run dirs; an empty pool says so', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'moroccron-fifo-pool-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const poolDir = join(root, '.fifo-pool');
  mkdirSync(poolDir);
  writeFileSync(join(poolDir, 'left-over'), 'from an earlier launcher');
  const run = join(root, 'run');
  mkdirSync(run);

  const pool = new FifoPool(poolDir, findHostTools().mkfifo);
  assert.equal(pool.placeInto(join(run, 'out'), join(run, 'err')), false, 'nothing made yet: the wrapper makes its own');
  await pool.settled();
  assert.ok(!readdirSync(poolDir).includes('left-over'), 'what an earlier launcher left is dropped');
  for (let i = 0; i < 300; i++) {
    const placed = pool.placeInto(join(run, `out-${i}`), join(run, `err-${i}`));
    if (!placed) await pool.settled();
    else for (const name of [`out-${i}`, `err-${i}`]) {
      const stat = statSync(join(run, name));
      assert.ok(stat.isFIFO(), name);
      assert.equal(stat.mode & 0o777, 0o600, name);
    }
  }
  await pool.settled();
  assert.ok(readdirSync(run).length > 256, 'more pairs than one batch were handed out: the pool refills');
});
