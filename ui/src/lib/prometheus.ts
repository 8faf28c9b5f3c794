/** Reading one histogram out of the Prometheus text format that `/metrics` answers. */

export interface HistogramBucket {
  /** Upper bound in the metric's unit; Infinity for the last. */
  le: number;
  /** Observations in this bucket alone (not cumulative). */
  count: number;
}

export interface Histogram {
  buckets: HistogramBucket[];
  sum: number;
  count: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/;

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

function labelValue(labels: string, name: string): string | null {
  const match = new RegExp(`(?:^|,)\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`).exec(labels);
  return match ? match[1]!.replace(/\\(.)/g, '$1') : null;
}

/** The histogram `name` summed over its other labels; null when the text has no such metric. */
export function parseHistogram(text: string, name: string): Histogram | null {
  const cumulative = new Map<number, number>();
  let sum = 0;
  let count = 0;
  let seen = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line.trim());
    if (!match) continue;
    const [, metric, labels = '', raw] = match;
    const value = parseValue(raw!);
    if (metric === `${name}_bucket`) {
      const le = labelValue(labels, 'le');
      if (le === null) continue;
      const bound = parseValue(le);
      cumulative.set(bound, (cumulative.get(bound) ?? 0) + value);
      seen = true;
    } else if (metric === `${name}_sum`) {
      sum += value;
    } else if (metric === `${name}_count`) {
      count += value;
    }
  }
  if (!seen) return null;
  const bounds = [...cumulative.keys()].sort((a, b) => a - b);
  let previous = 0;
  const buckets = bounds.map((le) => {
    const total = cumulative.get(le)!;
    const bucket = { le, count: Math.max(0, total - previous) };
    previous = total;
    return bucket;
  });
  return { buckets, sum, count };
}

/** The upper bound of the bucket holding quantile `q` (0..1): "p95 is at most this". */
export function quantileBound(histogram: Histogram, q: number): number | null {
  if (histogram.count <= 0) return null;
  const target = q * histogram.count;
  let running = 0;
  for (const b of histogram.buckets) {
    running += b.count;
    if (running >= target) return b.le;
  }
  return Infinity;
}
