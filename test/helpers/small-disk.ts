/** A small tmpfs to fill up: disk-full behaviour tested for real (Linux, as root). */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Why a small tmpfs cannot be mounted here, or null; under CI that is an error, never a skip. */
export function smallDiskUnavailable(): string | null {
  if (process.platform === 'linux' && process.getuid?.() === 0) return null;
  const why = 'mounting a small tmpfs needs Linux and root';
  if (process.env.CI === 'true') throw new Error(why);
  return why;
}

export interface SmallDisk {
  path: string;
  /** Write a filler file until the disk is full. */
  fill(): void;
  /** Remove the filler. */
  free(): void;
  unmount(): void;
}

export function mountSmallDisk(mountPoint: string, sizeMiB: number): SmallDisk {
  mkdirSync(mountPoint, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', mountPoint]);
  const filler = join(mountPoint, 'filler');
  return {
    path: mountPoint,
    fill() {
      const fd = openSync(filler, 'a');
      try {
        for (const block = Buffer.alloc(64 * 1024); ; ) writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
    },
    free: () => rmSync(filler, { force: true }),
    unmount: () => execFileSync('umount', ['-l', mountPoint]),
  };
}
