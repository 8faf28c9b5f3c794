import type { Range } from '../types.js';

/** Inclusive integer ranges kept sorted and merged. */
export function normalizeRanges(ranges: readonly Range[]): Range[] {
  const sorted = ranges.filter((r) => r.end >= r.begin).map((r) => ({ begin: r.begin, end: r.end })).sort((a, b) => a.begin - b.begin);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.begin <= last.end + 1) last.end = Math.max(last.end, r.end);
    else out.push(r);
  }
  return out;
}

export function addRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  return normalizeRanges([...a, ...b]);
}

export function subtractRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  let current = normalizeRanges(a);
  for (const cut of normalizeRanges(b)) {
    const next: Range[] = [];
    for (const r of current) {
      if (cut.end < r.begin || cut.begin > r.end) next.push(r);
      else {
        if (cut.begin > r.begin) next.push({ begin: r.begin, end: cut.begin - 1 });
        if (cut.end < r.end) next.push({ begin: cut.end + 1, end: r.end });
      }
    }
    current = next;
  }
  return current;
}

export function rangesContain(outer: readonly Range[], inner: readonly Range[]): boolean {
  return subtractRanges(inner, outer).length === 0;
}

export function rangeCount(ranges: readonly Range[]): number {
  return ranges.reduce((n, r) => n + r.end - r.begin + 1, 0);
}

export const formatRanges = (ranges: readonly Range[]): string => `[${ranges.map((r) => `${r.begin}-${r.end}`).join(', ')}]`;
