import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FifoPool } from '../../src/backends/local/fifo-pool.js';
import { findHostTools } from '../../src/backends/local/host-tools.js';

test('FIFOs are made in batches ahead and moved into run dirs; an empty pool says so and refills', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'moroccron-fifo-pool-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const poolDir = join(root, '.fifo-pool');
  mkdirSync(poolDir);
  writeFileSync(join(poolDir, 'left-over'), 'from an earlier launcher');
  const run = join(root, 'run');
  mkdirSync(run);

  const pool = new FifoPool(poolDir, findHostTools().mkfifo);
  const names = (i: number): string[] => ['out', 'err', 'done'].map((name) => join(run, `${name}-${i}`));
  assert.equal(pool.placeInto(names(0)), false, 'nothing made yet');
  await pool.refilled();
  assert.ok(!readdirSync(poolDir).includes('left-over'), 'what an earlier launcher left is dropped');
  for (let i = 0; i < 600; i++) {
    while (!pool.placeInto(names(i))) await pool.refilled();
    for (const path of names(i)) {
      const stat = statSync(path);
      assert.ok(stat.isFIFO(), path);
      assert.equal(stat.mode & 0o777, 0o600, path);
    }
  }
  assert.equal(readdirSync(run).length, 1800, 'more than two batches handed out: the pool refills');
  await pool.close();
});

test('a mkfifo that fails is named by the wait for a refill', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'moroccron-fifo-pool-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const missing = new FifoPool(join(root, 'a'), '/nonexistent/mkfifo');
  await assert.rejects(missing.refilled(), /cannot make the log FIFOs: \/nonexistent\/mkfifo: .*ENOENT/);
  const failing = new FifoPool(join(root, 'b'), '/bin/false');
  await assert.rejects(failing.refilled(), /cannot make the log FIFOs: \/bin\/false exited with status 1/);
});

test('a closed pool makes no more, so its dir can go', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'moroccron-fifo-pool-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const pool = new FifoPool(join(root, 'pool'), findHostTools().mkfifo);
  await pool.close();
  assert.equal(existsSync(join(root, 'pool')), false, 'its dir is gone');
  assert.equal(pool.placeInto([join(root, 'a')]), false, 'nothing is handed out');
  await assert.rejects(pool.refilled(), /shutting down/);
  assert.equal(existsSync(join(root, 'pool')), false, 'and nothing more is made');
});

test("each launcher has a pool of its own in the runs root (an HA pair shares it); pools of launchers that are gone are dropped", async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'moroccron-fifo-pool-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const gone = spawnSync('/bin/true').pid!;
  for (const name of ['.fifo-pool', `.fifo-pool-${gone}`, '.fifo-pool-1']) {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, 'x'), '');
  }
  const pool = FifoPool.inRunsRoot(root, findHostTools().mkfifo);
  await pool.refilled();
  assert.deepEqual(readdirSync(root).sort(), ['.fifo-pool-1', `.fifo-pool-${process.pid}`].sort(), "a live launcher's pool (pid 1 here) is left alone");
  // Its FIFOs taken away under it (as a pool wiped by another process would be): it says so and refills.
  rmSync(join(root, `.fifo-pool-${process.pid}`), { recursive: true, force: true });
  const run = join(root, 'run');
  mkdirSync(run);
  assert.equal(pool.placeInto([join(run, 'out')]), false);
  await pool.refilled();
  assert.equal(pool.placeInto([join(run, 'out')]), true);
  await pool.close();
});
