/** Port ranges (inclusive): taking ports out of them and writing ports back as ranges. */
import type { Range } from '../types.js';

export const rangeSize = (ranges: readonly Range[]): number => ranges.reduce((n, r) => n + (r.end - r.begin + 1), 0);

/** Remove the `count` lowest ports from `ranges` (mutated) and return them. */
export function takePorts(ranges: Range[], count: number): number[] {
  const taken: number[] = [];
  ranges.sort((a, b) => a.begin - b.begin);
  while (taken.length < count && ranges.length > 0) {
    const first = ranges[0]!;
    taken.push(first.begin);
    if (first.begin === first.end) ranges.shift();
    else first.begin += 1;
  }
  return taken;
}

/** Consecutive ports folded into ranges. */
export function toRanges(ports: readonly number[]): Range[] {
  const out: Range[] = [];
  for (const p of [...ports].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && p === last.end + 1) last.end = p;
    else out.push({ begin: p, end: p });
  }
  return out;
}
