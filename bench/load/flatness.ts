/**
 * Whether a measure stayed flat over a long run: the median of a first steady window against
 * the median of the last one, and the least-squares slope over everything after the warm-up.
 * Medians, because heap and RSS saw-tooth with garbage collection.
 */
import { median } from './stats.js';

export interface Point {
  /** Milliseconds since the start. */
  t: number;
  v: number;
}

export interface Flatness {
  firstWindow: number | null;
  lastWindow: number | null;
  /** (last − first) / first, in %. */
  changePercent: number | null;
  /** Least-squares slope after the warm-up, in units per hour, and in % of the first window per hour. */
  slopePerHour: number | null;
  slopePercentPerHour: number | null;
}

export interface Windows {
  /** Samples before this (ms since the start) are the warm-up, left out. */
  warmupEndMs: number;
  /** [warmupEndMs, warmupEndMs + windowMs) and [endMs − windowMs, endMs]. */
  windowMs: number;
  endMs: number;
}

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Slope of v over t (per ms) by least squares; null with fewer than two distinct times. */
export function leastSquaresSlope(points: readonly Point[]): number | null {
  if (points.length < 2) return null;
  const meanT = points.reduce((sum, p) => sum + p.t, 0) / points.length;
  const meanV = points.reduce((sum, p) => sum + p.v, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - meanT) * (p.v - meanV);
    den += (p.t - meanT) ** 2;
  }
  return den === 0 ? null : num / den;
}

export function flatness(points: readonly Point[], w: Windows): Flatness {
  const first = median(points.filter((p) => p.t >= w.warmupEndMs && p.t < w.warmupEndMs + w.windowMs).map((p) => p.v));
  const last = median(points.filter((p) => p.t >= w.endMs - w.windowMs && p.t <= w.endMs).map((p) => p.v));
  const slope = leastSquaresSlope(points.filter((p) => p.t >= w.warmupEndMs));
  const perHour = slope === null ? null : slope * 3600_000;
  return {
    firstWindow: first,
    lastWindow: last,
    changePercent: first !== null && last !== null && first !== 0 ? round(((last - first) / first) * 100, 1) : null,
    slopePerHour: perHour === null ? null : round(perHour, 2),
    slopePercentPerHour: perHour !== null && first !== null && first !== 0 ? round((perHour / first) * 100, 1) : null,
  };
}
