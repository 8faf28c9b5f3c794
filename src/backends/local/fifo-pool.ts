/**
 * FIFOs made ahead, many per `mkfifo` process, for the launcher to move into run dirs (a
 * rename) before it starts a capped run's wrapper: one process fewer per run, which counts
 * in a burst, where every fork and exec is paid for. When the pool is empty the wrapper makes
 * its own, as it would without a pool.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Pairs made by one mkfifo. */
const BATCH_PAIRS = 128;

export class FifoPool {
  private readonly ready: string[] = [];
  private refilling: Promise<void> | null = null;
  private made = 0;

  /** `dir` is the pool's own directory, on the run dirs' file system; whatever it held is dropped. */
  constructor(
    private readonly dir: string,
    private readonly mkfifo: string,
  ) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.refill();
  }

  /** Move two FIFOs to `stdoutPipe` and `stderrPipe`; false when the pool has none (the wrapper makes them). */
  placeInto(stdoutPipe: string, stderrPipe: string): boolean {
    if (this.ready.length < BATCH_PAIRS) this.refill();
    if (this.ready.length < 2) return false;
    try {
      renameSync(this.ready.pop()!, stdoutPipe);
      renameSync(this.ready.pop()!, stderrPipe);
      return true;
    } catch {
      return false;
    }
  }

  /** Resolves once no mkfifo is running (so the pool's dir may go). */
  async settled(): Promise<void> {
    await this.refilling;
  }

  private refill(): void {
    if (this.refilling) return;
    const names = Array.from({ length: BATCH_PAIRS * 2 }, () => join(this.dir, String(this.made++)));
    this.refilling = new Promise<void>((resolve) => {
      const maker = spawn(this.mkfifo, ['-m', '600', ...names], { stdio: 'ignore' });
      maker.once('error', () => resolve());
      maker.once('exit', (code) => {
        if (code === 0) this.ready.push(...names);
        resolve();
      });
    }).then(() => {
      this.refilling = null;
    });
  }
}
