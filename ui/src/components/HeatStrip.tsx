/**
 * A row of buckets drawn on a canvas, each coloured by how many runs fall in it. A canvas,
 * not elements: a thousand jobs times 288 buckets would be too many nodes. Where buckets are
 * narrower than a pixel, a pixel shows the busiest of them, so a pile-up never disappears.
 */
import { memo, useEffect, useRef } from 'react';
import { heatLevel } from '../lib/timeline';
import { useColorScheme } from './useColorScheme';

/** Empty, then five levels from few to many; both themes keep the top level clear of the empty colour. */
export const HEAT_COLOURS = {
  light: ['#eceff3', '#fde2a4', '#f7b85a', '#ee8a37', '#d9572a', '#a8281c'],
  dark: ['#222933', '#5a4613', '#8d6416', '#c4791f', '#e8612f', '#ff8a70'],
} as const;

interface HeatStripProps {
  counts: readonly number[];
  max: number;
  /** CSS pixels; the canvas is drawn at the device's pixel ratio. */
  width: number;
  height: number;
  label: string;
  scale?: 'sqrt' | 'linear';
  className?: string;
}

export const HeatStrip = memo(function HeatStrip({ counts, max, width, height, label, scale = 'sqrt', className }: HeatStripProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const scheme = useColorScheme();
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || width <= 0) return;
    const ratio = window.devicePixelRatio || 1;
    const w = Math.round(width * ratio);
    const h = Math.round(height * ratio);
    canvas.width = w;
    canvas.height = h;
    const context = canvas.getContext('2d');
    if (!context) return;
    const colours = HEAT_COLOURS[scheme];
    context.fillStyle = colours[0];
    context.fillRect(0, 0, w, h);
    const n = counts.length;
    if (n === 0) return;
    const perBucket = w / n;
    // Wide buckets get a hairline between them so neighbours read as separate minutes.
    const gap = perBucket >= 6 * ratio ? Math.max(1, Math.round(ratio)) : 0;
    if (perBucket >= 1) {
      counts.forEach((count, i) => {
        const level = heatLevel(count, max, scale);
        const x0 = Math.round(i * perBucket);
        const x1 = Math.round((i + 1) * perBucket);
        if (level > 0) {
          context.fillStyle = colours[level]!;
          context.fillRect(x0, 0, x1 - x0 - gap, h);
        }
      });
    } else {
      for (let x = 0; x < w; x++) {
        let busiest = 0;
        for (let i = Math.floor((x * n) / w); i < Math.min(n, Math.ceil(((x + 1) * n) / w)); i++) busiest = Math.max(busiest, counts[i] ?? 0);
        const level = heatLevel(busiest, max, scale);
        if (level > 0) {
          context.fillStyle = colours[level]!;
          context.fillRect(x, 0, 1, h);
        }
      }
    }
  }, [counts, max, width, height, scale, scheme]);
  return <canvas ref={ref} role="img" aria-label={label} className={className} style={{ width, height }} />;
});
