/** Resource arithmetic shared by local capacity and (later) Mesos offers. */
import type { Resources } from './types.js';

const KEYS = ['cpus', 'mem', 'disk', 'gpus'] as const;

// Offers and capacities carry float noise (0.1 + 0.2); compare with a small tolerance.
const EPSILON = 1e-9;

export const add = (a: Resources, b: Resources): Resources => ({
  cpus: a.cpus + b.cpus,
  mem: a.mem + b.mem,
  disk: a.disk + b.disk,
  gpus: a.gpus + b.gpus,
});

export const subtract = (a: Resources, b: Resources): Resources => ({
  cpus: Math.max(0, a.cpus - b.cpus),
  mem: Math.max(0, a.mem - b.mem),
  disk: Math.max(0, a.disk - b.disk),
  gpus: Math.max(0, a.gpus - b.gpus),
});

export const fits = (need: Resources, available: Resources): boolean =>
  KEYS.every((k) => need[k] <= available[k] + EPSILON);

/** The resources that `need` lacks in `available`, for a message. */
export function shortfall(need: Resources, available: Resources): string {
  return KEYS.filter((k) => need[k] > available[k] + EPSILON)
    .map((k) => `${k} ${need[k]} > ${round(available[k])}`)
    .join(', ');
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
