/**
 * A small line chart as hand-written SVG (no dependency): panels stacked over one time axis,
 * each with its series as polylines from zero up, so a flat line looks flat and a slow
 * climb shows; shaded bands mark spans of time (a warm-up, the windows compared).
 */
import type { Point } from './flatness.js';

export interface ChartSeries {
  name: string;
  color: string;
  /** t in ms since the start. */
  points: readonly Point[];
}

export interface ChartPanel {
  title: string;
  series: readonly ChartSeries[];
}

export interface ChartBand {
  fromMs: number;
  toMs: number;
  label: string;
  /** Default a light grey. */
  fill?: string;
}

/** A moment marked by a dashed vertical line. */
export interface ChartMarker {
  atMs: number;
  label: string;
}

const WIDTH = 760;
const PANEL_HEIGHT = 170;
const LEFT = 56;
const RIGHT = 170;
const TOP = 34;
const GAP = 34;
const BOTTOM = 34;

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A step of 1, 2 or 5 × 10^n giving about `count` ticks up to `max`. */
function niceStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
}

const number = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function lineChartSvg(title: string, durationMs: number, panels: readonly ChartPanel[], bands: readonly ChartBand[] = [], markers: readonly ChartMarker[] = []): string {
  const height = TOP + panels.length * PANEL_HEIGHT + (panels.length - 1) * GAP + BOTTOM;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const minutes = durationMs / 60_000;
  const xStep = niceStep(minutes, 6);
  const x = (tMs: number): number => LEFT + (Math.min(Math.max(tMs, 0), durationMs) / durationMs) * plotWidth;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="${LEFT}" y="18" font-size="13" font-weight="bold" fill="#111">${escape(title)}</text>`,
  ];
  panels.forEach((panel, i) => {
    const top = TOP + i * (PANEL_HEIGHT + GAP);
    const bottom = top + PANEL_HEIGHT;
    const max = Math.max(1, ...panel.series.flatMap((s) => s.points.map((p) => p.v))) * 1.1;
    const yStep = niceStep(max, 4);
    const yMax = Math.ceil(max / yStep) * yStep;
    const y = (v: number): number => bottom - (v / yMax) * PANEL_HEIGHT;
    for (const band of bands) {
      out.push(`<rect x="${x(band.fromMs).toFixed(1)}" y="${top}" width="${(x(band.toMs) - x(band.fromMs)).toFixed(1)}" height="${PANEL_HEIGHT}" fill="${band.fill ?? '#e5e7eb'}" opacity="0.6"/>`);
      if (i === 0) out.push(`<text x="${((x(band.fromMs) + x(band.toMs)) / 2).toFixed(1)}" y="${top - 4}" text-anchor="middle" fill="#555" font-size="10">${escape(band.label)}</text>`);
    }
    for (const marker of markers.filter((m) => m.atMs > 0 && m.atMs < durationMs)) {
      const mx = x(marker.atMs).toFixed(1);
      out.push(`<line x1="${mx}" x2="${mx}" y1="${top}" y2="${bottom}" stroke="#6b7280" stroke-dasharray="4 3"/>`);
      out.push(`<text x="${(x(marker.atMs) + 4).toFixed(1)}" y="${top + 11}" fill="#555" font-size="10">${escape(marker.label)}</text>`);
    }
    for (let v = 0; v <= yMax + 1e-9; v += yStep) {
      out.push(`<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
      out.push(`<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#444">${number(v)}</text>`);
    }
    out.push(`<text x="${LEFT + plotWidth + 10}" y="${top + 12}" font-weight="bold" fill="#111">${escape(panel.title)}</text>`);
    panel.series.forEach((s, k) => {
      const points = s.points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.6" points="${points}"/>`);
      const ly = top + 30 + k * 16;
      out.push(`<line x1="${LEFT + plotWidth + 10}" x2="${LEFT + plotWidth + 28}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2.5"/>`);
      out.push(`<text x="${LEFT + plotWidth + 32}" y="${ly}" fill="#222">${escape(s.name)}</text>`);
    });
    out.push(`<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${bottom}" y2="${bottom}" stroke="#888"/>`);
    for (let m = 0; m <= minutes + 1e-9; m += xStep) {
      const tx = x(m * 60_000).toFixed(1);
      out.push(`<line x1="${tx}" x2="${tx}" y1="${bottom}" y2="${bottom + 4}" stroke="#888"/>`);
      if (i === panels.length - 1) out.push(`<text x="${tx}" y="${bottom + 16}" text-anchor="middle" fill="#444">${number(m)}</text>`);
    }
  });
  out.push(`<text x="${LEFT + plotWidth / 2}" y="${height - 4}" text-anchor="middle" fill="#444">minutes</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
