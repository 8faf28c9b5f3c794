/** Reading a Prometheus text exposition (the server's /metrics) into numbers by series. */

/** Each sample line as `name` or `name{labels}` (exactly as exposed) to its value. */
export function parsePrometheusText(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (space < 0) continue;
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value)) series.set(line.slice(0, space), value);
  }
  return series;
}

/** GET `${baseUrl}/metrics`, parsed. */
export async function scrapeMetrics(baseUrl: string, timeoutMs = 5000): Promise<Map<string, number>> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET /metrics: HTTP ${response.status}`);
  return parsePrometheusText(await response.text());
}
