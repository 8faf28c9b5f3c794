/**
 * The log copier's work for one run: read the run's two FIFOs (the job's stdout and
 * stderr) and append them to its logs up to the cap, then read on into nothing, so the job
 * is never blocked, signalled or failed because of the cap. A log cut at the cap ends with
 * the marker line. Once both streams are closed by everyone who held them (the job and any
 * child it left running), the copier tells the wrapper on the run's third FIFO, and the
 * wrapper exits: a run ends with its logs complete.
 *
 * A FIFO is opened non-blocking before the wrapper starts. Linux reports no hang-up on a
 * FIFO opened that way until a writer has come, so the copy cannot end before the job
 * began (fs/pipe.c: "suppress EPOLLHUP until we have seen a writer").
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { LiveEntry } from './log-copier-protocol.js';
import { LOGS_DONE_PIPE, STDERR_PIPE, STDOUT_PIPE, readPidFile, type PidInfo } from './run-dir.js';
import { isAlive } from './process-probe.js';

/** A wrapper that wrote no pid file in this long after its FIFOs were taken never ran. */
const NEVER_STARTED_MS = 30_000;

type Probe = 'writers' | 'no-writers';

class StreamCopy {
  /** The log's size: opened at the first byte to write (a run that prints nothing on a stream costs no open). */
  private written = 0;
  private logFd: number | null = null;
  private cut = false;
  private writeFailed = false;
  private socket: Socket | null = null;
  ended = false;
  /** Adopted again by a new copier with nobody writing: see RunLogCopy.sweep. */
  unseenWriter = false;
  /** The FIFO it reads (device and inode), to tell it from one put in its place later. */
  private fifo: { dev: number; ino: number } | null = null;

  constructor(
    private readonly pipePath: string,
    readonly logPath: string,
    private readonly capBytes: number,
    private readonly onEnd: () => void,
  ) {}

  /** Start copying. `readopted`: a new copier taking over a run another one began. */
  open(readopted: boolean): void {
    const fd = openSync(this.pipePath, constants.O_RDONLY | constants.O_NONBLOCK);
    const { dev, ino } = fstatSync(fd);
    this.fifo = { dev, ino };
    if (readopted && this.drainNow(fd) === 'no-writers') this.unseenWriter = true;
    const socket = new Socket({ fd, readable: true, writable: false });
    socket.on('data', (chunk: Buffer) => this.take(chunk));
    socket.on('error', () => this.end());
    socket.on('close', () => this.end());
    this.socket = socket;
  }

  /** Whether the FIFO at its path is still the one it reads. */
  readsCurrentFifo(): boolean {
    if (this.fifo === null) return false;
    try {
      const { dev, ino } = statSync(this.pipePath);
      return dev === this.fifo.dev && ino === this.fifo.ino;
    } catch {
      return false;
    }
  }

  /** Stop reading (the wrapper is gone); whatever is still in the pipe is lost with it. */
  stop(): void {
    if (this.socket !== null) this.socket.destroy();
    else this.end();
  }

  /** Append the marker if the log was cut, and close it. */
  close(marker: string): void {
    if (this.cut) this.write(Buffer.from(`\n${marker}\n`), Number.POSITIVE_INFINITY);
    if (this.logFd !== null) closeSync(this.logFd);
    this.logFd = null;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
  }

  private take(chunk: Buffer): void {
    this.unseenWriter = false;
    if (this.logFd === null) this.openLog();
    const room = this.capBytes - this.written;
    if (room < chunk.length) this.cut = true;
    if (room > 0) this.write(room < chunk.length ? chunk.subarray(0, room) : chunk, this.capBytes);
  }

  private openLog(): void {
    try {
      this.logFd = openSync(this.logPath, 'a');
      // An earlier attempt's output, or a copier's that died, counts against the cap.
      this.written = fstatSync(this.logFd).size;
    } catch {
      this.writeFailed = true;
      this.cut = true;
    }
  }

  private write(data: Buffer, limit: number): void {
    if (this.writeFailed || this.logFd === null || this.written >= limit) return;
    try {
      for (let offset = 0; offset < data.length; ) offset += writeSync(this.logFd, data, offset);
      this.written += data.length;
    } catch {
      // A full disk: drop the log here and read on, as past the cap; the marker says so.
      this.writeFailed = true;
      this.cut = true;
    }
  }

  /** Read what is there already; then say whether anybody holds the FIFO for writing. */
  private drainNow(fd: number): Probe {
    const buffer = Buffer.allocUnsafe(65_536);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return 'writers';
        throw error;
      }
      if (n === 0) return 'no-writers';
      this.take(buffer.subarray(0, n));
    }
  }
}

export class RunLogCopy {
  private readonly streams: StreamCopy[];
  private readonly takenAt: number;
  private pid: PidInfo | null = null;
  private finished = false;

  constructor(
    readonly runId: string,
    private readonly dir: string,
    readonly entry: LiveEntry,
    now: number,
    private readonly onFinished: (copy: RunLogCopy) => void,
  ) {
    this.takenAt = now;
    const ended = (): void => this.streamEnded();
    this.streams = [STDOUT_PIPE, STDERR_PIPE].map((pipe, i) => new StreamCopy(join(dir, pipe), join(dir, i === 0 ? 'stdout' : 'stderr'), entry.capBytes, ended));
  }

  /** Throws if a FIFO cannot be opened (the run's dir or FIFOs are missing). */
  open(readopted: boolean): void {
    try {
      for (const stream of this.streams) stream.open(readopted);
    } catch (error) {
      for (const stream of this.streams) stream.stop();
      throw error;
    }
  }

  /** Stop copying: the run's wrapper never started, or is gone. */
  stop(): void {
    for (const stream of this.streams) stream.stop();
  }

  /**
   * Whether the run's FIFOs are still the ones this copy reads. They are not when its run
   * was staged for a launcher that died before starting the wrapper, and the run was then
   * launched again: the new launch put fresh FIFOs in the dir, which nobody reads yet.
   */
  readsCurrentFifos(): boolean {
    return this.streams.every((stream) => stream.readsCurrentFifo());
  }

  /** Let go of FIFOs that were replaced: no wrapper ever wrote to them, and the one now in the dir must not be told anything. */
  abandon(): void {
    this.finished = true;
    for (const stream of this.streams) {
      stream.stop();
      stream.close(this.entry.marker);
    }
  }

  /**
   * Called now and then: end the copy of a run whose wrapper is gone (KILLed, or never
   * started), since nobody waits for it and its job's output has nowhere to go.
   * One more case, for a copier that took over: a FIFO nobody held for writing when it was
   * opened reports no hang-up until a writer comes, and one that had already come and gone
   * (a job that closed its output early) never comes again. Once the job has exited and
   * still nothing came, the stream is over.
   */
  sweep(now: number): void {
    if (this.finished) return;
    this.pid ??= readPidFile(join(this.dir, 'pid'));
    const wrapperGone = this.pid === null ? now - this.takenAt > NEVER_STARTED_MS : !isAlive(this.pid.pid, this.pid.startTime);
    if (wrapperGone) return this.stop();
    if (this.streams.some((stream) => stream.unseenWriter) && existsSync(join(this.dir, 'exit'))) {
      for (const stream of this.streams) if (stream.unseenWriter) stream.stop();
    }
  }

  private streamEnded(): void {
    if (this.finished || !this.streams.every((stream) => stream.ended)) return;
    this.finished = true;
    for (const stream of this.streams) {
      try {
        stream.close(this.entry.marker);
      } catch {
        // The log is what it is; the wrapper still has to be told.
      }
    }
    tellWrapper(join(this.dir, LOGS_DONE_PIPE));
    this.onFinished(this);
  }
}

/** One line on the run's third FIFO, which the wrapper holds open and reads. A wrapper that is gone (ENXIO: no reader) needs no word. */
function tellWrapper(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return;
  }
  try {
    writeSync(fd, '\n');
  } catch {
    // Gone meanwhile.
  } finally {
    closeSync(fd);
  }
}
