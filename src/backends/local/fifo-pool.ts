/**
 * FIFOs made ahead, many per `mkfifo` process, for the launcher to move into run dirs (a
 * rename) before the log copier opens them and the run's wrapper starts. Node cannot make
 * a FIFO, and a `mkfifo` per run would be one more process per run, which counts in a
 * burst, where every fork and exec is paid for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const processExists = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** FIFOs made by one mkfifo; the pool is refilled once it holds fewer. */
const BATCH = 768;

export class FifoPool {
  private readonly ready: string[] = [];
  private refilling: Promise<void> | null = null;
  private made = 0;
  private lastError: string | null = null;
  private closed = false;
  private maker: ChildProcess | null = null;

  /**
   * The pool of this process, in `root` (the runs root): its own dir, named by its pid, since
   * two servers of an HA pair on one host share the runs root. Pools left by launchers that
   * are gone are dropped.
   */
  static inRunsRoot(root: string, mkfifo: string): FifoPool {
    for (const name of readdirSync(root)) {
      const owner = /^\.fifo-pool(?:-(\d+))?$/.exec(name);
      if (owner && (owner[1] === undefined || !processExists(Number(owner[1])))) rmSync(join(root, name), { recursive: true, force: true });
    }
    return new FifoPool(join(root, `.fifo-pool-${process.pid}`), mkfifo);
  }

  /** `dir` is the pool's own directory, on the run dirs' file system; whatever it held is dropped. */
  constructor(
    private readonly dir: string,
    private readonly mkfifo: string,
  ) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.refill();
  }

  /**
   * Move a FIFO to each of `paths`; false when the pool has too few (wait for `refilled()`).
   * Throws if a rename fails.
   */
  placeInto(paths: readonly string[]): boolean {
    if (this.closed) return false;
    if (this.ready.length < BATCH) this.refill();
    if (this.ready.length < paths.length) return false;
    for (const path of paths) {
      try {
        renameSync(this.ready.pop()!, path);
      } catch (error) {
        // The pool's FIFOs are gone (its dir was removed): start afresh; the caller waits for the refill.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        this.ready.length = 0;
        mkdirSync(this.dir, { recursive: true, mode: 0o700 });
        this.refill();
        return false;
      }
    }
    return true;
  }

  /** Resolves once the refill under way is over; throws if mkfifo failed (with what it said), or the pool is closed. */
  async refilled(): Promise<void> {
    this.refill();
    await this.refilling;
    if (this.closed) throw new Error('the launcher is shutting down');
    if (this.lastError !== null) throw new Error(this.lastError);
  }

  /** Make no more: a mkfifo under way is stopped, and the pool's FIFOs go with its dir (the next launcher makes its own). */
  async close(): Promise<void> {
    this.closed = true;
    this.maker?.kill('SIGKILL');
    await this.refilling;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private refill(): void {
    if (this.refilling || this.closed) return;
    const names = Array.from({ length: BATCH }, () => join(this.dir, String(this.made++)));
    this.refilling = new Promise<void>((resolve) => {
      let said = '';
      const maker = spawn(this.mkfifo, ['-m', '600', ...names], { stdio: ['ignore', 'ignore', 'pipe'] });
      this.maker = maker;
      maker.stderr.on('data', (chunk: Buffer) => void (said += chunk.toString()));
      let failedToStart = false;
      maker.once('error', (error) => {
        failedToStart = true;
        this.lastError = `cannot make the log FIFOs: ${this.mkfifo}: ${error.message}`;
        resolve();
      });
      maker.once('close', (code) => {
        this.maker = null;
        if (failedToStart) return resolve();
        if (code === 0) {
          this.ready.push(...names);
          this.lastError = null;
        } else if (code !== null) this.lastError = `cannot make the log FIFOs: ${said.trim() || `${this.mkfifo} exited with status ${code}`}`;
        resolve();
      });
    }).then(() => {
      this.refilling = null;
    });
  }
}
