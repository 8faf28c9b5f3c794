/**
 * One client asking the same URL back to back (a short pause between requests), each
 * request given up after a timeout: every latency, every failure, and the longest time
 * the server gave no good answer at all.
 */
import { spread, type Spread } from './stats.js';

export interface ProbeReport {
  path: string;
  requests: number;
  latencyMs: Spread;
  /** Answers other than 2xx. */
  errorStatuses: number;
  /** Requests given up after the timeout. */
  timeouts: number;
  /** Connection errors and the like. */
  failures: number;
  /** Longest stretch without a 2xx answer, from the start of probing to its end. */
  longestSilenceMs: number;
  examples: string[];
}

export function startLatencyProbe(baseUrl: string, path: string, options: { pauseMs?: number; timeoutMs?: number } = {}): { stop(): Promise<ProbeReport> } {
  const pauseMs = options.pauseMs ?? 20;
  const timeoutMs = options.timeoutMs ?? 5000;
  const latencies: number[] = [];
  const examples = new Set<string>();
  let requests = 0;
  let errorStatuses = 0;
  let timeouts = 0;
  let failures = 0;
  const began = performance.now();
  let lastGood = began;
  let longestSilenceMs = 0;
  let running = true;

  const loop = (async () => {
    while (running) {
      const sent = performance.now();
      requests++;
      try {
        const response = await fetch(baseUrl + path, { signal: AbortSignal.timeout(timeoutMs) });
        await response.arrayBuffer();
        const now = performance.now();
        if (response.ok) {
          latencies.push(Math.round(now - sent));
          longestSilenceMs = Math.max(longestSilenceMs, now - lastGood);
          lastGood = now;
        } else {
          errorStatuses++;
          examples.add(`HTTP ${response.status}`);
        }
      } catch (e) {
        const name = (e as Error).name;
        if (name === 'TimeoutError') timeouts++;
        else failures++;
        examples.add(name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : String((e as Error).cause ?? (e as Error).message));
      }
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  })();

  return {
    stop: async () => {
      running = false;
      await loop;
      longestSilenceMs = Math.round(Math.max(longestSilenceMs, performance.now() - lastGood));
      return { path, requests, latencyMs: spread(latencies), errorStatuses, timeouts, failures, longestSilenceMs, examples: [...examples].slice(0, 5) };
    },
  };
}
