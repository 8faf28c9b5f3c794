/** Order statistics for bench reports: the machine is noisy, so medians and p99, never means. */

export interface Spread {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

/** The value at quantile `q` of an ascending array (nearest rank). */
export const quantile = (sorted: readonly number[], q: number): number | null =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? null };
}

export const median = (values: readonly number[]): number | null => quantile([...values].sort((a, b) => a - b), 0.5);

/** `value` as a table cell: "—" for nothing measured. */
export const cell = (value: number | null | undefined, unit = ''): string => (value === null || value === undefined ? '—' : `${value}${unit}`);
